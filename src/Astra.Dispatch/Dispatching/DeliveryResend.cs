using System.Text.Json;
using Astra.Dispatch.Catalog;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Storage;
using Astra.Dispatch.Templating;
using Microsoft.Extensions.Logging;

namespace Astra.Dispatch.Dispatching;

/// <summary>
/// Sends a delivery again: its stored event is rendered for its rule as the rule is now, and a command with the same
/// delivery id, marked as a resend, goes to the send queue with a full retry schedule. The delivery is reopened in the
/// log first (pending, its claim no longer final), so neither the log nor a worker's memory of an earlier success
/// swallows it. A render failure (a failed delivery without a command) is resent the same way once the rule is fixed.
/// The CLI's <c>deliveries resend</c> and the management API call this.
/// </summary>
public sealed partial class DeliveryResend
{
    private readonly IDeliveryLogStore _log;
    private readonly IRuleStore _rules;
    private readonly RuleCompilerFactory _compilers;
    private readonly RequestRenderer _renderer;
    private readonly IDeliveryCommandSender _sender;
    private readonly TimeProvider _time;
    private readonly ILogger<DeliveryResend> _logger;

    internal DeliveryResend(IDeliveryLogStore log, IRuleStore rules, RuleCompilerFactory compilers, RequestRenderer renderer, IDeliveryCommandSender sender,
        TimeProvider time, ILogger<DeliveryResend> logger)
    {
        _log = log;
        _rules = rules;
        _compilers = compilers;
        _renderer = renderer;
        _sender = sender;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Resends delivery <paramref name="deliveryId"/>; with <paramref name="tenantId"/>, only if it is that tenant's
    /// (another tenant's delivery is reported as not found).
    /// </summary>
    public async Task<ResendResult> ResendAsync(string deliveryId, string? tenantId, CancellationToken cancellationToken)
    {
        var delivery = await _log.GetAsync(deliveryId, cancellationToken);
        if (delivery is null || (tenantId is not null && delivery.TenantId != tenantId))
            return new ResendResult(ResendStatus.NotFound, $"delivery {deliveryId} does not exist{(tenantId is null ? "" : $" for tenant {tenantId}")}", delivery);
        var row = await _rules.GetAsync(delivery.TenantId, delivery.RuleId, cancellationToken);
        if (row is null)
            return new ResendResult(ResendStatus.RuleMissing, $"rule {delivery.RuleId} of tenant {delivery.TenantId} no longer exists", delivery);
        if (!row.Enabled)
        {
            var state = row.PausedReason is { } why ? $"paused ({why})" : "disabled";
            return new ResendResult(ResendStatus.RuleNotEnabled, $"rule {row.Id} of tenant {row.TenantId} is {state}: enable it first", delivery);
        }
        var errors = new List<RuleError>();
        var definition = JsonSerializer.Deserialize<RuleDefinition>(row.Definition, RuleDocumentReader.JsonOptions)!;
        if (_compilers.ForRuntime().Compile(definition, row.Version, row.Enabled, row.PausedReason, "database", errors) is not { } rule)
            return new ResendResult(ResendStatus.RuleInvalid, $"rule {row.Id} is no longer valid: {string.Join("; ", errors)}", delivery);
        if (await _log.GetEventAsync(delivery.TenantId, delivery.EventId, cancellationToken) is not { } json)
        {
            return new ResendResult(ResendStatus.EventNotStored,
                $"event {delivery.EventId} is not stored (pruned after Dispatch:Delivery:Retention, or recorded before events were kept)", delivery);
        }
        var e = JsonSerializer.Deserialize<ConversationEvent>(json, JsonSerializerOptions.Web)!;
        var occurredAt = e.OccurredAt ?? _time.GetUtcNow();
        RenderedRequest request;
        try
        {
            request = await _renderer.RenderAsync(rule, EventModel.From(e, occurredAt), EventModel.RawJson(e, occurredAt));
        }
        catch (RenderException ex)
        {
            return new ResendResult(ResendStatus.RenderFailed, ex.Message, delivery);
        }
        var command = DeliveryCommands.Create(e, occurredAt, rule, request, deliveryId) with { Resend = true };
        // Reopened before the command exists: a worker that takes it at once must not find the old success.
        await _log.ReopenAsync(deliveryId, _time.GetUtcNow(), cancellationToken);
        try
        {
            await _sender.SendAsync(command, cancellationToken);
        }
        catch
        {
            // Nothing is in flight: the delivery goes back to what it was rather than reading pending forever.
            await _log.RestoreAsync(delivery, CancellationToken.None);
            throw;
        }
        LogResent(deliveryId, rule.Id, delivery.TenantId, delivery.Status);
        return new ResendResult(ResendStatus.Sent, $"delivery {deliveryId} resent", delivery);
    }

    [LoggerMessage(EventId = 3301, Level = LogLevel.Information, Message = "Delivery {DeliveryId} of rule {RuleId} (tenant {TenantId}, was {Status}) resent")]
    private partial void LogResent(string deliveryId, string ruleId, string tenantId, string status);
}

/// <summary>What a resend did; <paramref name="Delivery"/> is the delivery as it was before (null when not found).</summary>
public sealed record ResendResult(ResendStatus Status, string Message, DeliveryRecord? Delivery);

/// <summary>The outcomes of <see cref="DeliveryResend.ResendAsync"/>.</summary>
public enum ResendStatus
{
    /// <summary>Reopened and sent to the workers.</summary>
    Sent,

    /// <summary>No such delivery (for that tenant).</summary>
    NotFound,

    /// <summary>Its rule was deleted.</summary>
    RuleMissing,

    /// <summary>Its rule is disabled or paused: enable it first.</summary>
    RuleNotEnabled,

    /// <summary>Its stored rule no longer compiles under this host's settings.</summary>
    RuleInvalid,

    /// <summary>Its event is not stored (pruned, or older than this feature).</summary>
    EventNotStored,

    /// <summary>The rule, as it is now, still cannot render the event: nothing was sent.</summary>
    RenderFailed,
}
