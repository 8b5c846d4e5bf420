namespace Astra.Dispatch.Contracts;

/// <summary>
/// Command: perform one rendered HTTP action for one matched rule. Carries no secret values:
/// authentication and signing are applied at send time from the rule's secret names.
/// </summary>
public sealed record SendHttpAction
{
    public required string DeliveryId { get; init; }
    public required string EventId { get; init; }
    public required string EventType { get; init; }
    public required string TenantId { get; init; }
    public string? AgentId { get; init; }
    public string? ConversationId { get; init; }
    public required string RuleId { get; init; }
    public long RuleVersion { get; init; }
    public required string Method { get; init; }
    public required string Url { get; init; }
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    public string? Body { get; init; }
    public string? ContentType { get; init; }
    public DateTimeOffset OccurredAt { get; init; }
}
