namespace Astra.Dispatch.Contracts;

/// <summary>Published with routing key <c>rule.paused</c> on <c>astra.action-results</c> when a rule is paused.</summary>
public sealed record RulePaused
{
    /// <summary>The paused rule.</summary>
    public required string RuleId { get; init; }

    /// <summary>The rule's tenant.</summary>
    public required string TenantId { get; init; }

    /// <summary>Why (410 Gone, or every delivery failing for too long).</summary>
    public required string Reason { get; init; }

    /// <summary>When.</summary>
    public DateTimeOffset PausedAt { get; init; }
}
