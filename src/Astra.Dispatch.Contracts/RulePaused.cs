namespace Astra.Dispatch.Contracts;

/// <summary>Published with routing key <c>rule.paused</c> on <c>astra.action-results</c> when a rule is paused.</summary>
public sealed record RulePaused
{
    public required string RuleId { get; init; }
    public required string TenantId { get; init; }
    public required string Reason { get; init; }
    public DateTimeOffset PausedAt { get; init; }
}
