using Astra.Dispatch.Matching;
using Astra.Dispatch.Rules;
using Fluid;

namespace Astra.Dispatch.Catalog;

/// <summary>A validated rule with its templates parsed once, ready for matching and rendering on the hot path.</summary>
public sealed class CompiledRule
{
    /// <summary>The rule as authored.</summary>
    public required RuleDefinition Definition { get; init; }
    /// <summary>Bumped by every change of the definition.</summary>
    public required long Version { get; init; }
    /// <summary>Whether it is enabled (not disabled or paused).</summary>
    public required bool Enabled { get; init; }
    /// <summary>Why the worker paused it (410 Gone, a failure streak); null when an operator disabled it or it is enabled.</summary>
    public string? PausedReason { get; init; }
    /// <summary>The event types and globs of its trigger.</summary>
    public required EventTypePattern[] Events { get; init; }
    /// <summary>The parsed <c>trigger.when</c>, if any.</summary>
    public IFluidTemplate? Condition { get; init; }
    /// <summary>The HTTP method, upper case.</summary>
    public required string Method { get; init; }
    /// <summary>The URL template.</summary>
    public required IFluidTemplate Url { get; init; }
    /// <summary>The scheme, host and port spelled out in the rule's URL: every URL rendered for it has this origin.</summary>
    public required Uri Origin { get; init; }
    /// <summary>The header templates.</summary>
    public required IReadOnlyList<KeyValuePair<string, IFluidTemplate>> Headers { get; init; }
    /// <summary>The query parameter templates.</summary>
    public required IReadOnlyList<KeyValuePair<string, IFluidTemplate>> Query { get; init; }
    /// <summary>The body template; null sends the event itself (or nothing for GET/DELETE).</summary>
    public IFluidTemplate? Body { get; init; }
    /// <summary>The body's content type.</summary>
    public required string ContentType { get; init; }
    /// <summary>The rule's request timeout; null means the configured default.</summary>
    public TimeSpan? Timeout { get; init; }
    /// <summary>Delays between attempts; null means the configured default schedule.</summary>
    public IReadOnlyList<TimeSpan>? RetrySchedule { get; init; }
    /// <summary>The rule's rate limit, if any.</summary>
    public RateLimitSpec? RateLimit { get; init; }

    /// <summary>The rule id.</summary>
    public string Id => Definition.Id;
    /// <summary>The rule's tenant.</summary>
    public string TenantId => Definition.TenantId;
    /// <summary>The agent filter, if any.</summary>
    public string? AgentId => Definition.AgentId;

    /// <summary>Whether the rule's agent filter accepts events of <paramref name="agentId"/>.</summary>
    public bool AcceptsAgent(string? agentId) => AgentId is null || string.Equals(AgentId, agentId, StringComparison.Ordinal);

    /// <summary>Whether any of the trigger's types or globs matches <paramref name="eventType"/>.</summary>
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
