using System.Text.Json;
using System.Text.Json.Nodes;
using Astra.Dispatch.Console.Web;
using Astra.Dispatch.Bus.Operations;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Dispatching;
using Astra.Dispatch.Management;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Security;
using Astra.Dispatch.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Console.Pages.Tenants;

/// <summary>
/// <c>/t/{tenant}/deliveries/{deliveryId}</c>: one delivery, its attempts as a timeline (time, duration, status, error,
/// response excerpt, all redacted again with the rule's own fields, as the API does; each attempt's trace), and the
/// result event published for it on <c>astra.action-results</c>, rebuilt from the log. Operators resend it through the
/// same <see cref="DeliveryService"/> as the API and the CLI (its stored event, the rule as it is now, an audit entry).
/// </summary>
internal sealed class DeliveryModel(IDeliveryLog log, IRuleStore rules, Redactor redactor, DeliveryService deliveries, IOptions<ConsoleOptions> options,
    IConfiguration configuration, TimeProvider time) : ConsolePage
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public DeliveryRecord Delivery { get; private set; } = null!;

    public IReadOnlyList<AttemptRecord> Attempts { get; private set; } = [];

    public bool RuleExists { get; private set; }

    /// <summary>The routing key and body of the result event, or null while the delivery is not finished.</summary>
    public (string RoutingKey, string Json, string Note)? Result { get; private set; }

    public DateTimeOffset Now { get; private set; }

    public async Task<IActionResult> OnGetAsync(string deliveryId, string? resent, CancellationToken cancellationToken)
    {
        if (resent is not null)
            Notice = $"Resent: the delivery is pending again (it was {resent}); its new attempts appear below as the worker makes them.";
        return await LoadAsync(deliveryId, cancellationToken);
    }

    public async Task<IActionResult> OnPostResendAsync(string deliveryId, CancellationToken cancellationToken)
    {
        if (RequireOperator() is { } forbidden)
            return forbidden;
        ResendResult result;
        try
        {
            result = await deliveries.ResendAsync(deliveryId, Tenant, Caller.Actor, cancellationToken);
        }
        catch (BrokerUnavailableException ex)
        {
            Problem = $"Not resent: the broker cannot be reached ({ex.Message}).";
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return await LoadAsync(deliveryId, cancellationToken);
        }
        if (result is { Status: ResendStatus.Sent, Delivery: { } before })
            return Redirect($"/t/{Uri.EscapeDataString(Tenant)}/deliveries/{Uri.EscapeDataString(deliveryId)}?resent={Uri.EscapeDataString(before.Status)}");
        if (result.Status == ResendStatus.NotFound)
            return NotFound();
        // The reason may quote a render error: masked with the rule's own redactions, as the API does.
        var definition = result.Delivery is { } d && await rules.GetAsync(Tenant, d.RuleId, cancellationToken) is { } row ? RuleService.Definition(row) : null;
        Problem = $"Not resent: {redactor.Text(result.Message, definition) ?? result.Message}.";
        Response.StatusCode = result.Status is ResendStatus.RuleInvalid or ResendStatus.RenderFailed
            ? StatusCodes.Status422UnprocessableEntity
            : StatusCodes.Status409Conflict;
        return await LoadAsync(deliveryId, cancellationToken);
    }

    private async Task<IActionResult> LoadAsync(string deliveryId, CancellationToken cancellationToken)
    {
        Now = time.GetUtcNow();
        // Another tenant's delivery reads as one that does not exist.
        if (await log.GetAsync(deliveryId, cancellationToken) is not { } delivery || delivery.TenantId != Tenant)
            return NotFound();
        var row = await rules.GetAsync(Tenant, delivery.RuleId, cancellationToken);
        var definition = row is null ? null : RuleService.Definition(row);
        RuleExists = row is not null;
        Delivery = delivery with { LastError = redactor.Text(delivery.LastError, definition) };
        Attempts = [.. (await log.ListAttemptsAsync(deliveryId, cancellationToken))
            .Select(a => a with { Error = redactor.Text(a.Error, definition), ResponseExcerpt = redactor.Text(a.ResponseExcerpt, definition) })];
        Result = ResultEvent(definition);
        return Page();
    }

    /// <summary>The trace viewer's link for a trace id (<c>Dispatch:Console:TraceUrl</c>), or null when none is configured.</summary>
    public string? TraceLink(string traceId) =>
        options.Value.TraceUrl is { Length: > 0 } template ? template.Replace("{traceId}", Uri.EscapeDataString(traceId), StringComparison.Ordinal) : null;

    private (string, string, string)? ResultEvent(RuleDefinition? rule)
    {
        var succeeded = Delivery.Status == DeliveryStatus.Succeeded;
        if (!succeeded && Delivery.Status != DeliveryStatus.Failed)
            return null;
        var last = Attempts.Count > 0 ? Attempts[^1] : null;
        var body = new JsonObject
        {
            ["deliveryId"] = Delivery.Id,
            ["eventId"] = Delivery.EventId,
            ["ruleId"] = Delivery.RuleId,
            ["tenantId"] = Delivery.TenantId,
            ["status"] = Delivery.Status,
            ["attempts"] = Delivery.Attempts,
            ["httpStatus"] = last?.StatusCode is { } code ? JsonValue.Create(code) : null,
            ["durationMs"] = last?.DurationMs ?? 0,
            ["error"] = succeeded ? null : Delivery.LastError,
        };
        var notes = new List<string> { "agentId and conversationId are copied from the event, which the delivery log does not keep" };
        if (succeeded && rule?.CaptureResponse == true)
        {
            try
            {
                body["response"] = last?.ResponseExcerpt is { } excerpt ? JsonNode.Parse(excerpt) : null;
            }
            catch (JsonException)
            {
                notes.Add("the response excerpt is not JSON, so it is not shown as the event's response");
            }
        }
        if (succeeded && !(configuration.GetValue<bool?>("Dispatch:Results:PublishSucceeded") ?? true) && rule?.CaptureResponse != true)
            notes.Add("this deployment publishes successes only for rules with captureResponse (Dispatch:Results:PublishSucceeded is false), so this one was not published");
        return (succeeded ? "action.succeeded" : "action.failed", body.ToJsonString(Indented), string.Join("; ", notes) + ".");
    }
}
