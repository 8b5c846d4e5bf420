namespace Astra.Dispatch.Contracts;

/// <summary>
/// Command: perform one rendered HTTP action for one matched rule. Carries no secret values:
/// authentication and signing are applied at send time from the rule's secret names.
/// </summary>
public sealed record SendHttpAction
{
    /// <summary>Deterministic from (tenant, event, rule); the same across retries and replays.</summary>
    public required string DeliveryId { get; init; }

    /// <summary>The event that matched.</summary>
    public required string EventId { get; init; }

    /// <summary>The event's type.</summary>
    public required string EventType { get; init; }

    /// <summary>The tenant of the event; checked against the rule's at send time.</summary>
    public required string TenantId { get; init; }

    /// <summary>The event's agent.</summary>
    public string? AgentId { get; init; }

    /// <summary>The event's conversation.</summary>
    public string? ConversationId { get; init; }

    /// <summary>The matched rule.</summary>
    public required string RuleId { get; init; }

    /// <summary>The rule's version when the command was made.</summary>
    public long RuleVersion { get; init; }

    /// <summary>The HTTP method.</summary>
    public required string Method { get; init; }

    /// <summary>The rendered URL; its scheme, host and port are checked against the rule at send time.</summary>
    public required string Url { get; init; }

    /// <summary>The rendered headers (credentials are added at send time).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>The rendered body, if any.</summary>
    public string? Body { get; init; }

    /// <summary>The body's content type.</summary>
    public string? ContentType { get; init; }

    /// <summary>When the event happened (end-to-end latency is measured from here).</summary>
    public DateTimeOffset OccurredAt { get; init; }

    /// <summary>
    /// Sent again by an operator (<c>deliveries resend</c>): the delivery was reopened in the log, so an earlier success
    /// a worker remembers does not stop it. It still takes the delivery's claim like any other copy.
    /// </summary>
    public bool Resend { get; init; }
}
