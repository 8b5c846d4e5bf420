using System.Diagnostics;
using Astra.Dispatch.Catalog;
using Astra.Dispatch.Cli.Infrastructure;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Storage;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Spectre.Console;

namespace Astra.Dispatch.Cli.Status;

/// <summary>
/// Broker reachability, depth and consumers of every Astra queue (passive declares, so no management plugin is
/// needed and nothing is created), and delivery outcomes over the last hour. Exit 1 when the broker is unreachable.
/// </summary>
public sealed class StatusCommand(CliOutput output) : DispatchCommand<CliSettings>(output)
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

        var queues = new List<QueueState>();
        string? brokerError = null;
        var watch = Stopwatch.StartNew();
        try
        {
            await using var connection = await broker.ConnectAsync(cancellationToken);
            watch.Stop();
            foreach (var name in names)
                queues.Add(await ProbeAsync(connection, name, cancellationToken));
        }
        catch (CliException ex)
        {
            brokerError = ex.Message;
        }
        var outcomes = await Get<IDeliveryLog>(services).CountByStatusAsync(time.GetUtcNow().AddHours(-1), cancellationToken);

        if (settings.Json)
        {
            Output.WriteJson(new
            {
                broker = new { uri = broker.Display, connected = brokerError is null, error = brokerError, connectMs = brokerError is null ? watch.ElapsedMilliseconds : (long?)null },
                queues,
                rules = new { total = catalog.Current.Count, enabled = catalog.Current.EnabledCount },
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
            Output.Text($"Rules: {catalog.Current.Count} ({catalog.Current.EnabledCount} enabled).");
            Output.Text("Deliveries in the last hour: " + (outcomes.Count == 0 ? "none" : string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Value} {o.Key}"))) + ".");
        }
        return brokerError is null ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static string Count(QueueState q)
    {
        var n = q.Messages.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return q.Name.EndsWith("_error", StringComparison.Ordinal) && q.Messages > 0 ? $"[red]{n}[/]" : n;
    }

    private static async Task<QueueState> ProbeAsync(IConnection connection, string name, CancellationToken cancellationToken)
    {
        // A passive declare of a missing queue closes its channel, so each probe gets its own.
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            var ok = await channel.QueueDeclarePassiveAsync(name, cancellationToken);
            return new QueueState(name, true, ok.MessageCount, ok.ConsumerCount);
        }
        catch (OperationInterruptedException)
        {
            return new QueueState(name, false, 0, 0);
        }
    }

    public sealed record QueueState(string Name, bool Exists, uint Messages, uint Consumers);
}
