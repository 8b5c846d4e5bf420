using Astra.Dispatch.Matching;
using Fluid;

namespace Astra.Dispatch.Rules;

/// <summary>A validated rule with its templates parsed once, ready for matching and rendering on the hot path.</summary>
public sealed class CompiledRule
{
    public required RuleDefinition Definition { get; init; }
    public required long Version { get; init; }
    public required bool Enabled { get; init; }
    public string? PausedReason { get; init; }
    public required EventTypePattern[] Events { get; init; }
    public IFluidTemplate? Condition { get; init; }
    public required string Method { get; init; }
    public required IFluidTemplate Url { get; init; }
    /// <summary>The scheme, host and port spelled out in the rule's URL: every URL rendered for it has this origin.</summary>
    public required Uri Origin { get; init; }
    public required IReadOnlyList<KeyValuePair<string, IFluidTemplate>> Headers { get; init; }
    public required IReadOnlyList<KeyValuePair<string, IFluidTemplate>> Query { get; init; }
    public IFluidTemplate? Body { get; init; }
    public required string ContentType { get; init; }
    public TimeSpan? Timeout { get; init; }
    /// <summary>Delays between attempts; null means the configured default schedule.</summary>
    public IReadOnlyList<TimeSpan>? RetrySchedule { get; init; }
    public RateLimitSpec? RateLimit { get; init; }

    public string Id => Definition.Id;
    public string TenantId => Definition.TenantId;
    public string? AgentId => Definition.AgentId;

    public bool MatchesType(string eventType)
    {
        foreach (var pattern in Events)
        {
            if (pattern.Matches(eventType))
                return true;
        }
        return false;
    }
}
