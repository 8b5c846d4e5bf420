using System.Diagnostics;
using Astra.Dispatch.Bus.Operations;
using Astra.Dispatch.Catalog;
using Astra.Dispatch.Cli.Infrastructure;
using Astra.Dispatch.Cli.Rules;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Storage;
using Spectre.Console;

namespace Astra.Dispatch.Cli.Status;

/// <summary>
/// Broker reachability, depth and consumers of every Astra queue (passive declares, so no management plugin is
/// needed and nothing is created), the stored rules, and delivery outcomes over the last hour. Exit 1 when the broker is
/// unreachable. Rules are counted as stored; those a worker with the CLI's settings would skip are named with the reason.
/// </summary>
internal sealed class StatusCommand(CliOutput output) : DispatchCommand<CliSettings>(output)
{
    protected override async Task<int> RunAsync(CliSettings settings, IServiceProvider services, CancellationToken cancellationToken)
    {
        var broker = Get<BrokerConnector>(services);
        var time = Get<TimeProvider>(services);
        var catalog = Get<RuleCatalog>(services);
        await catalog.RefreshAsync(cancellationToken);
        var tiers = Get<RetrySchedule>(services).AllDelays(catalog.Current.All).Order()
            .Select(BusNames.DelayQueue);
        string[] names = [BusNames.EventsQueue, BusNames.SendQueue, .. tiers, BusNames.EventsErrorQueue, BusNames.SendErrorQueue];

        IReadOnlyList<QueueState> queues = [];
        string? brokerError = null;
        var watch = Stopwatch.StartNew();
        try
        {
            queues = await Get<QueueProbe>(services).ProbeAsync(names, cancellationToken);
            watch.Stop();
        }
        catch (BrokerUnavailableException ex)
        {
            brokerError = ex.Message;
        }
        var (_, stored) = await Get<IRuleStore>(services).LoadAllAsync(cancellationToken);
        var compilers = Get<RuleCompilerFactory>(services);
        var skipped = stored.Select(r => (Row: r, Errors: RuleLoader.LoadErrors(compilers, r))).Where(r => r.Errors.Count > 0).ToList();
        var rules = new RuleCounts(stored.Count, stored.Count(r => r.Enabled), stored.Count(r => !r.Enabled && r.PausedReason is null),
            stored.Count(r => !r.Enabled && r.PausedReason is not null), [.. stored.Select(r => r.TenantId).Distinct().Order(StringComparer.Ordinal)],
            [.. skipped.Select(s => new SkippedRule(s.Row.Id, s.Row.TenantId, s.Errors))]);
        var outcomes = await Get<IDeliveryLog>(services).CountByStatusAsync(time.GetUtcNow().AddHours(-1), cancellationToken);

        if (settings.Json)
        {
            Output.WriteJson(new
            {
                broker = new { uri = broker.Display, connected = brokerError is null, error = brokerError, connectMs = brokerError is null ? watch.ElapsedMilliseconds : (long?)null },
                queues,
                rules,
                deliveriesLastHour = outcomes,
            });
        }
        else
        {
            Output.Line(brokerError is null
                ? $"Broker [green]connected[/] {Markup.Escape(broker.Display)} ({watch.ElapsedMilliseconds} ms)"
                : $"Broker [red]unreachable[/]: {Markup.Escape(brokerError)}");
            if (queues.Count > 0)
            {
                var table = new Table().AddColumns("Queue", "Messages", "Consumers");
                foreach (var q in queues)
                {
                    table.AddRow(Markup.Escape(q.Name), q.Exists ? Count(q) : "[grey]missing[/]",
                        q.Exists ? q.Consumers.ToString(System.Globalization.CultureInfo.InvariantCulture) : "");
                }
                Output.Console.Write(table);
            }
            Output.Text(rules.Total == 0 ? "Rules: none stored."
                : $"Rules: {rules.Total} stored, {rules.Enabled} enabled, {rules.Disabled} disabled, {rules.Paused} paused (tenants: {string.Join(", ", rules.Tenants)}).");
            RuleLoader.WriteLoadWarning(Output, skipped);
            Output.Text("Deliveries in the last hour: " + (outcomes.Count == 0 ? "none" : string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Value} {o.Key}"))) + ".");
        }
        return brokerError is null ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static string Count(QueueState q)
    {
        var n = q.Messages.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return q.Name.EndsWith("_error", StringComparison.Ordinal) && q.Messages > 0 ? $"[red]{n}[/]" : n;
    }

    public sealed record RuleCounts(int Total, int Enabled, int Disabled, int Paused, IReadOnlyList<string> Tenants, IReadOnlyList<SkippedRule> Skipped);

    public sealed record SkippedRule(string Id, string TenantId, IReadOnlyList<string> Errors);
}
