using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;

namespace Astra.Dispatch.Storage;

/// <summary>A change to the delivery log, queued for the batched background writer.</summary>
public abstract record JournalEntry(string DeliveryId, DateTimeOffset At);

/// <summary>A matched rule produced a delivery (status <c>pending</c>).</summary>
public sealed record DeliveryCreated(string DeliveryId, DateTimeOffset At, string EventId, string EventType, string RuleId, string TenantId)
    : JournalEntry(DeliveryId, At);

/// <summary>One HTTP attempt finished; <paramref name="Status"/> is the delivery's new status.</summary>
public sealed record AttemptRecorded(
    string DeliveryId, DateTimeOffset At, string EventId, string EventType, string RuleId, string TenantId,
    int Attempt, double DurationMs, int? StatusCode, string Outcome, string? Error, string? ResponseExcerpt,
    string Status, DateTimeOffset? NextAttemptAt)
    : JournalEntry(DeliveryId, At)
{
    /// <summary>Attempt <paramref name="attempt"/> of <paramref name="action"/>, started at <paramref name="startedAt"/>, came to <paramref name="outcome"/>.</summary>
    public static AttemptRecorded Of(SendHttpAction action, int attempt, DateTimeOffset startedAt, AttemptOutcome outcome, string status, DateTimeOffset? nextAttemptAt) =>
        new(action.DeliveryId, startedAt, action.EventId, action.EventType, action.RuleId, action.TenantId, attempt, outcome.Duration.TotalMilliseconds,
            outcome.StatusCode, outcome.Name, outcome.Error, outcome.ResponseExcerpt, status, nextAttemptAt);
}
