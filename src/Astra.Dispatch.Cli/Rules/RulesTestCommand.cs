using Astra.Dispatch.Cli.Events;
using Astra.Dispatch.Cli.Infrastructure;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Secrets;
using Astra.Dispatch.Storage;
using Astra.Dispatch.Templating;
using Spectre.Console;

namespace Astra.Dispatch.Cli.Rules;

/// <summary>
/// Explains a rule against a sample event (enabled, tenant, type, agent, condition), renders the request with
/// every credential masked, and with <c>--send</c> sends it once. Exit 0 when the rule matches (and the send
/// succeeded), 1 when it does not.
/// </summary>
public sealed class RulesTestCommand(CliOutput output) : DispatchCommand<RulesTestSettings>(output)
{
    protected override async Task<int> RunAsync(RulesTestSettings settings, IServiceProvider services, CancellationToken cancellationToken)
    {
        var row = await RuleLoader.GetAsync(Get<RuleStore>(services), settings.Id, cancellationToken);
        var rule = RuleLoader.Compile(Get<RuleCompilerFactory>(services), row);
        var json = await EventInput.ReadObjectAsync(settings.Event!, cancellationToken);
        var e = EventInput.Parse(json, settings.Event!);
        var time = Get<TimeProvider>(services);
        var occurredAt = e.OccurredAt ?? time.GetUtcNow();
        var model = EventModel.From(e, occurredAt);
        var liquid = Get<LiquidEngine>(services);

        var checks = new List<Check>
        {
            new("enabled", rule.Enabled, rule.Enabled ? "rule is enabled" : $"rule is {RuleLoader.State(row)}"),
            new("tenant", rule.TenantId == e.TenantId, $"rule tenant '{rule.TenantId}', event tenant '{e.TenantId}'"),
            new("type", rule.MatchesType(e.Type), $"event type '{e.Type}' against [{string.Join(", ", rule.Events.Select(p => p.Text))}]"),
            new("agent", rule.AgentId is null || rule.AgentId == e.AgentId,
                rule.AgentId is null ? "rule accepts any agent" : $"rule agent '{rule.AgentId}', event agent '{e.AgentId ?? "(none)"}'"),
        };
        if (rule.Condition is { } condition)
        {
            try
            {
                var holds = await LiquidEngine.EvaluateAsync(condition, liquid.CreateContext(model));
                checks.Add(new("condition", holds, $"{rule.Definition.Trigger.When} is {(holds ? "true" : "false")}"));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                checks.Add(new("condition", false, $"{rule.Definition.Trigger.When} failed: {ex.Message}"));
            }
        }
        else
        {
            checks.Add(new("condition", true, "no condition"));
        }
        var matches = checks.All(c => c.Passed);

        var masking = new Masking(SecretValues(rule.Definition, Get<SecretStore>(services)));
        RenderedRequest? request = null;
        string? renderError = null;
        try
        {
            request = await Get<RequestRenderer>(services).RenderAsync(rule, model, EventModel.RawJson(e, occurredAt));
        }
        catch (RenderException ex)
        {
            renderError = ex.Message;
        }

        AttemptOutcome? sent = null;
        if (settings.Send && matches && request is not null)
            sent = await SendAsync(services, rule, e, request, occurredAt, cancellationToken);
        else if (settings.Send)
            await Output.Error.WriteLineAsync("Not sent: the rule does not match this event or could not render it.");

        var view = Present(request, rule.Definition, masking);
        if (settings.Json)
        {
            Output.WriteJson(new
            {
                rule = rule.Id, matches, checks, renderError, request = view,
                response = sent is null ? null : new
                {
                    outcome = sent.Kind.ToString().ToLowerInvariant(), sent.StatusCode, durationMs = Math.Round(sent.Duration.TotalMilliseconds, 1),
                    error = masking.Text(sent.Error), body = masking.Json(sent.ResponseExcerpt),
                },
            });
        }
        else
        {
            WriteHuman(rule.Id, matches, checks, renderError, view, sent, masking);
        }
        return matches && renderError is null && (sent is null || sent.Kind == OutcomeKind.Succeeded) ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static async Task<AttemptOutcome> SendAsync(IServiceProvider services, CompiledRule rule, ConversationEvent e, RenderedRequest request, DateTimeOffset occurredAt, CancellationToken cancellationToken)
    {
        // A separate delivery id, so the endpoint's idempotency check never swallows the real delivery later.
        var action = new SendHttpAction
        {
            DeliveryId = DeliveryId.For(e.TenantId, $"cli-test:{e.EventId}:{Guid.NewGuid():N}", rule.Id),
            EventId = e.EventId, EventType = e.Type, TenantId = e.TenantId, AgentId = e.AgentId, ConversationId = e.ConversationId,
            RuleId = rule.Id, RuleVersion = rule.Version, Method = request.Method, Url = request.Url, Headers = request.Headers,
            Body = request.Body, ContentType = request.ContentType, OccurredAt = occurredAt,
        };
        return await Get<HttpActionSender>(services).SendAsync(action, rule, cancellationToken);
    }

    /// <summary>Values that must never be printed: every secret the rule names and that resolves here.</summary>
    internal static IEnumerable<string> SecretValues(RuleDefinition rule, SecretStore secrets)
    {
        var names = new List<string?> { rule.Auth?.Secret, rule.Signing?.Secret };
        names.AddRange(rule.Signing?.Secrets ?? []);
        foreach (var name in names)
        {
            if (name is not null && secrets.TryGet(name, out var value))
                yield return value;
        }
    }

    private static RequestView? Present(RenderedRequest? request, RuleDefinition rule, Masking masking)
    {
        if (request is null)
            return null;
        var url = masking.Text(request.Url)!;
        var headers = request.Headers.ToDictionary(h => h.Key, h => masking.Header(h.Key, h.Value), StringComparer.OrdinalIgnoreCase);
        // What is added at send time, shown without its value.
        switch (rule.Auth?.Type)
        {
            case "bearer" or "oauth2":
                headers["Authorization"] = $"Bearer {Masking.Mask}";
                break;
            case "basic":
                headers["Authorization"] = $"Basic {Masking.Mask}";
                break;
            case "header":
                headers[rule.Auth.Name!] = Masking.Mask;
                break;
            case "query":
                url += (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + Uri.EscapeDataString(rule.Auth.Name!) + "=" + Masking.Mask;
                break;
        }
        if (rule.Signing is not null)
            headers[ContractHeaders.WebhookSignature] = $"v1,{Masking.Mask}";
        return new RequestView(request.Method, url, headers, request.ContentType, masking.Text(request.Body));
    }

    private void WriteHuman(string ruleId, bool matches, List<Check> checks, string? renderError, RequestView? view, AttemptOutcome? sent, Masking masking)
    {
        var table = new Table().AddColumns("Check", "Result", "Detail");
        foreach (var c in checks)
            table.AddRow(c.Name, c.Passed ? "[green]pass[/]" : "[red]fail[/]", Markup.Escape(c.Detail));
        Output.Console.Write(table);
        Output.Line(matches ? $"[green]Rule {Markup.Escape(ruleId)} matches this event.[/]" : $"[yellow]Rule {Markup.Escape(ruleId)} does not match this event.[/]");
        if (renderError is not null)
            Output.Line($"[red]Rendering failed:[/] {Markup.Escape(renderError)}");
        if (view is not null)
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
                Output.Text($"Error: {masking.Text(sent.Error)}");
            if (sent.ResponseBody is not null)
                Output.Text(masking.Json(sent.ResponseExcerpt)!);
        }
    }

    public sealed record Check(string Name, bool Passed, string Detail);

    public sealed record RequestView(string Method, string Url, IReadOnlyDictionary<string, string> Headers, string ContentType, string? Body);
}
