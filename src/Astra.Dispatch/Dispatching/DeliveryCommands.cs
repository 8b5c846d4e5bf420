using Astra.Dispatch.Catalog;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;

namespace Astra.Dispatch.Dispatching;

/// <summary>The one way a matched rule's rendered request becomes a <see cref="SendHttpAction"/>.</summary>
internal static class DeliveryCommands
{
    public static SendHttpAction Create(ConversationEvent e, DateTimeOffset occurredAt, CompiledRule rule, RenderedRequest request, string? deliveryId = null) => new()
    {
        DeliveryId = deliveryId ?? DeliveryId.For(e.TenantId, e.EventId, rule.Id),
        EventId = e.EventId,
        EventType = e.Type,
        TenantId = e.TenantId,
        AgentId = e.AgentId,
        ConversationId = e.ConversationId,
        RuleId = rule.Id,
        RuleVersion = rule.Version,
        Method = request.Method,
        Url = request.Url,
        Headers = request.Headers,
        Body = request.Body,
        ContentType = request.ContentType,
        OccurredAt = occurredAt,
    };

    /// <summary>
    /// The log entry of an attempt of <paramref name="action"/> that came to <paramref name="outcome"/>; with
    /// <paramref name="claimOwner"/>, the claim it was sent under, released when the entry is written.
    /// </summary>
    public static Storage.AttemptRecorded Attempt(SendHttpAction action, int attempt, DateTimeOffset startedAt, AttemptOutcome outcome, string status,
        DateTimeOffset? nextAttemptAt, string? claimOwner = null) =>
        new(action.DeliveryId, startedAt, action.EventId, action.EventType, action.RuleId, action.TenantId, attempt, outcome.Duration.TotalMilliseconds,
            outcome.StatusCode, outcome.Name, outcome.Error, outcome.ResponseExcerpt, status, nextAttemptAt, CurrentTraceId()) { ClaimOwner = claimOwner };

    /// <summary>The trace the attempt runs in (the send consumer's span), or null without one.</summary>
    public static string? CurrentTraceId() => System.Diagnostics.Activity.Current is { } activity ? activity.TraceId.ToHexString() : null;
}
