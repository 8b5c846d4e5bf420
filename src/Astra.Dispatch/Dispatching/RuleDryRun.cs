using Astra.Dispatch.Catalog;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Security;
using Astra.Dispatch.Templating;

namespace Astra.Dispatch.Dispatching;

/// <summary>
/// A rule against a sample event, without sending: whether it matches and why (the planner's checks), and the request it
/// would send (masked). With <see cref="SendOnceAsync"/>, the request is sent once under a delivery id of its own, so
/// the endpoint's idempotency check never swallows the real delivery later.
/// </summary>
public sealed class RuleDryRun
{
    private readonly RuleMatcher _matcher;
    private readonly RequestRenderer _renderer;
    private readonly Redactor _redactor;
    private readonly IHttpActionSender _sender;
    private readonly TimeProvider _time;

    internal RuleDryRun(RuleMatcher matcher, RequestRenderer renderer, Redactor redactor, IHttpActionSender sender, TimeProvider time)
    {
        _matcher = matcher;
        _renderer = renderer;
        _redactor = redactor;
        _sender = sender;
        _time = time;
    }

    /// <summary>Explains and renders <paramref name="rule"/> for <paramref name="e"/>.</summary>
    public async Task<DryRunResult> RunAsync(CompiledRule rule, ConversationEvent e, CancellationToken cancellationToken)
    {
        var occurredAt = e.OccurredAt ?? _time.GetUtcNow();
        var model = EventModel.From(e, occurredAt);
        var checks = await _matcher.ExplainAsync(rule, e, model);
        SendHttpAction? command = null;
        string? renderError = null;
        try
        {
            var request = await _renderer.RenderAsync(rule, model, EventModel.RawJson(e, occurredAt));
            command = DeliveryCommands.Create(e, occurredAt, rule, request);
        }
        catch (RenderException ex)
        {
            renderError = ex.Message;
        }
        var preview = command is null ? null : RequestPreview.Of(
            new RenderedRequest(command.Method, command.Url, command.Headers, command.Body, command.ContentType ?? rule.ContentType), rule.Definition, _redactor);
        return new DryRunResult(rule, checks.All(c => c.Passed), checks, renderError, preview, command);
    }

    /// <summary>Sends a dry run's request once; the outcome's error and response are redacted like the worker's.</summary>
    public async Task<AttemptOutcome> SendOnceAsync(DryRunResult result, CancellationToken cancellationToken)
    {
        var command = result.Command ?? throw new InvalidOperationException("the rule did not render a request");
        var rule = result.Rule;
        var test = command with { DeliveryId = DeliveryId.For(command.TenantId, $"dry-run:{command.EventId}:{Guid.NewGuid():N}", rule.Id) };
        var outcome = await _sender.SendAsync(test, rule, cancellationToken);
        return outcome with { Error = _redactor.Text(outcome.Error, rule.Definition), ResponseBody = _redactor.Text(outcome.ResponseBody, rule.Definition) };
    }
}

/// <summary>A dry run's answer: whether the rule matches, each check, and the masked request (or why it did not render).</summary>
public sealed record DryRunResult(CompiledRule Rule, bool Matches, IReadOnlyList<MatchCheck> Checks, string? RenderError, RequestPreview? Request,
    SendHttpAction? Command);
