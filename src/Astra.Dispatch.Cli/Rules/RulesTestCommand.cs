using Astra.Dispatch.Catalog;
using Astra.Dispatch.Cli.Events;
using Astra.Dispatch.Cli.Infrastructure;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Dispatching;
using Astra.Dispatch.Rules;
using Spectre.Console;

namespace Astra.Dispatch.Cli.Rules;

/// <summary>
/// A dry run of a rule against a sample event (<see cref="RuleDryRun"/>: the planner's checks, the rendered request with
/// every credential masked); with <c>--send</c> the request is sent once. Exit 0 when the rule matches (and the send
/// succeeded), 1 when it does not.
/// </summary>
internal sealed class RulesTestCommand(CliOutput output) : DispatchCommand<RulesTestSettings>(output)
{
    protected override async Task<int> RunAsync(RulesTestSettings settings, IServiceProvider services, CancellationToken cancellationToken)
    {
        var row = await RuleLoader.GetAsync(Get<IRuleStore>(services), settings.Id, settings.Tenant, cancellationToken);
        var rule = RuleLoader.Compile(Get<RuleCompilerFactory>(services), row);
        var json = await EventInput.ReadObjectAsync(settings.Event!, cancellationToken);
        var e = EventInput.Parse(json, settings.Event!);
        var dryRun = Get<RuleDryRun>(services);
        var result = await dryRun.RunAsync(rule, e, cancellationToken);

        AttemptOutcome? sent = null;
        if (settings.Send && result.Matches && result.Command is not null)
            sent = await dryRun.SendOnceAsync(result, cancellationToken);
        else if (settings.Send)
            await Output.Error.WriteLineAsync("Not sent: the rule does not match this event or could not render it.");

        if (settings.Json)
        {
            Output.WriteJson(new
            {
                rule = rule.Id, result.Matches, result.Checks, result.RenderError, request = result.Request,
                response = sent is null ? null : new
                {
                    outcome = sent.Kind.ToString().ToLowerInvariant(), sent.StatusCode, durationMs = Math.Round(sent.Duration.TotalMilliseconds, 1),
                    error = sent.Error, body = sent.ResponseExcerpt,
                },
            });
        }
        else
        {
            WriteHuman(result, sent);
        }
        return result.Matches && result.RenderError is null && (sent is null || sent.Kind == OutcomeKind.Succeeded) ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private void WriteHuman(DryRunResult result, AttemptOutcome? sent)
    {
        var ruleId = result.Rule.Id;
        var table = new Table().AddColumns("Check", "Result", "Detail");
        foreach (var c in result.Checks)
            table.AddRow(c.Name, c.Passed ? "[green]pass[/]" : "[red]fail[/]", Markup.Escape(c.Detail));
        Output.Console.Write(table);
        Output.Line(result.Matches ? $"[green]Rule {Markup.Escape(ruleId)} matches this event.[/]" : $"[yellow]Rule {Markup.Escape(ruleId)} does not match this event.[/]");
        if (result.RenderError is not null)
            Output.Line($"[red]Rendering failed:[/] {Markup.Escape(result.RenderError)}");
        if (result.Request is { } view)
        {
            Output.Text($"{view.Method} {view.Url}");
            foreach (var (name, value) in view.Headers)
                Output.Text($"{name}: {value}");
            Output.Text($"Content-Type: {view.ContentType}");
            if (view.Body is not null)
            {
                Output.Text("");
                Output.Text(view.Body);
            }
        }
        if (sent is not null)
        {
            Output.Text("");
            Output.Line($"Sent: [bold]{sent.Kind.ToString().ToLowerInvariant()}[/] {Markup.Escape(sent.StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "")} in {sent.Duration.TotalMilliseconds:0} ms");
            if (sent.Error is not null)
                Output.Text($"Error: {sent.Error}");
            if (sent.ResponseExcerpt is not null)
                Output.Text(sent.ResponseExcerpt);
        }
    }
}
