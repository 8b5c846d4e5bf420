namespace Astra.Dispatch.Storage;

/// <summary>A change to the delivery log, queued for the batched background writer.</summary>
public abstract record DeliveryLogEntry(string DeliveryId, DateTimeOffset At);

/// <summary>A matched rule produced a delivery (status <c>pending</c>).</summary>
internal sealed record DeliveryCreated(string DeliveryId, DateTimeOffset At, string EventId, string EventType, string RuleId, string TenantId)
    : DeliveryLogEntry(DeliveryId, At);

/// <summary>
/// One attempt finished (or a delivery failed without one); <paramref name="Status"/> is the delivery's new status;
/// <paramref name="TraceId"/> is the W3C trace id the attempt ran in (the console links it to a trace viewer).
/// </summary>
internal sealed record AttemptRecorded(
    string DeliveryId, DateTimeOffset At, string EventId, string EventType, string RuleId, string TenantId,
    int Attempt, double DurationMs, int? StatusCode, string Outcome, string? Error, string? ResponseExcerpt,
    string Status, DateTimeOffset? NextAttemptAt, string? TraceId = null)
    : DeliveryLogEntry(DeliveryId, At)
{
    /// <summary>
    /// The claim this attempt was sent under: released in the same transaction that records the attempt (and made
    /// final when it succeeded), so no other copy can claim the delivery before its outcome is in the log.
    /// </summary>
    public string? ClaimOwner { get; init; }
}

/// <summary>
/// An event that produced at least one delivery or render failure, stored once per (tenant, event) so its deliveries
/// can be planned again. <paramref name="Json"/> is the event with its effective <c>occurredAt</c>.
/// </summary>
internal sealed record EventRecorded(DateTimeOffset At, string TenantId, string EventId, string EventType, string Json)
    : DeliveryLogEntry("", At);
