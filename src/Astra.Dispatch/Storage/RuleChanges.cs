using Astra.Dispatch.Rules;

namespace Astra.Dispatch.Storage;

/// <summary>
/// Rule changes made by people (the API, the CLI): each is checked against the state its author last saw and written
/// with a new revision of the rule and an audit entry, in one transaction, so no change is lost between two editors and
/// none goes unrecorded. (The worker's own changes, a rules file it imports or a rule it pauses, go through
/// <see cref="IRuleStore"/>: they change the rule's <see cref="RuleStamp"/> but make no revision.)
/// </summary>
public interface IRuleChangeStore
{
    /// <summary>Applies one change if <see cref="RuleChange.Expected"/> holds.</summary>
    Task<RuleChangeResult> ApplyAsync(RuleChange change, CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="IRuleStore.ImportAsync"/> (same upsert and removal rules, same limits), with a revision and
    /// an audit entry for every rule added, changed or removed.
    /// </summary>
    Task<ImportSummary> ImportAsync(IReadOnlyList<RuleDefinition> rules, string? source, ImportLimits limits, string actor, string? actorKeyId,
        CancellationToken cancellationToken);

    /// <summary>The rule's revisions, newest first (they outlive a deleted rule).</summary>
    Task<IReadOnlyList<RuleRevision>> ListRevisionsAsync(string tenantId, string ruleId, int limit, CancellationToken cancellationToken);
}

/// <summary>What a change expects of the stored rule before it is applied.</summary>
public sealed record RulePrecondition
{
    /// <summary>Any state: no check.</summary>
    public static readonly RulePrecondition None = new();

    /// <summary>The stamps one of which the rule must have (<c>If-Match</c>); <c>*</c> means it must exist.</summary>
    public IReadOnlyList<string>? Match { get; init; }

    /// <summary>The rule must not exist (<c>If-None-Match: *</c>).</summary>
    public bool MustNotExist { get; init; }

    /// <summary>Whether <paramref name="current"/> satisfies this precondition.</summary>
    public bool IsMetBy(StoredRule? current)
    {
        if (MustNotExist && current is not null)
            return false;
        if (Match is not { Count: > 0 } match)
            return true;
        return current is not null && (match.Contains("*") || match.Contains(RuleStamp.Of(current)));
    }
}

/// <summary>One change of one rule, by <see cref="Actor"/>.</summary>
public abstract record RuleChange(string TenantId, string RuleId, RulePrecondition Expected, string Actor, string? ActorKeyId);

/// <summary>Creates or replaces the rule's definition (its enabled state comes from the definition, as on import).</summary>
public sealed record PutRule(RuleDefinition Rule, ImportLimits Limits, RulePrecondition Expected, string Actor, string? ActorKeyId)
    : RuleChange(Rule.TenantId, Rule.Id, Expected, Actor, ActorKeyId);

/// <summary>Enables (resuming a paused rule) or disables the rule.</summary>
public sealed record SetRuleEnabled(string TenantId, string RuleId, bool Enabled, RulePrecondition Expected, string Actor, string? ActorKeyId)
    : RuleChange(TenantId, RuleId, Expected, Actor, ActorKeyId);

/// <summary>Deletes the rule.</summary>
public sealed record DeleteRule(string TenantId, string RuleId, RulePrecondition Expected, string Actor, string? ActorKeyId)
    : RuleChange(TenantId, RuleId, Expected, Actor, ActorKeyId);

/// <summary>How a change went.</summary>
public enum RuleChangeOutcome
{
    /// <summary>Written, with a revision and an audit entry.</summary>
    Applied,
    /// <summary>Nothing to do (same definition, already in that state): no revision.</summary>
    Unchanged,
    /// <summary>The rule does not exist (enable, disable, delete).</summary>
    NotFound,
    /// <summary>The rule is not in the state the change expected.</summary>
    PreconditionFailed,
}

/// <summary>The outcome, the rule before and after (null when absent), and the revisions before and after.</summary>
public sealed record RuleChangeResult(RuleChangeOutcome Outcome, StoredRule? Before, StoredRule? After, long? RevisionBefore, long? RevisionAfter);

/// <summary>A rule as one change left it.</summary>
public sealed record RuleRevision
{
    /// <summary>The tenant.</summary>
    public string TenantId { get; init; } = "";
    /// <summary>The rule id.</summary>
    public string RuleId { get; init; } = "";
    /// <summary>1, 2, 3… per rule.</summary>
    public long Revision { get; init; }
    /// <summary>created, updated, enabled, disabled or deleted.</summary>
    public string Action { get; init; } = "";
    /// <summary>Who made the change.</summary>
    public string Actor { get; init; } = "";
    /// <summary>When (UTC, round-trip format).</summary>
    public string At { get; init; } = "";
    /// <summary>The rule's definition version after the change; null once deleted.</summary>
    public long? Version { get; init; }
    /// <summary>Whether it was enabled after the change; null once deleted.</summary>
    public bool? Enabled { get; init; }
    /// <summary>The definition (JSON) after the change; null once deleted.</summary>
    public string? Definition { get; init; }
}

/// <summary>The actions of rule revisions (and, prefixed with <c>rule.</c>, of their audit entries).</summary>
public static class RuleActions
{
    /// <summary>The rule was added.</summary>
    public const string Created = "created";
    /// <summary>Its definition changed.</summary>
    public const string Updated = "updated";
    /// <summary>It was enabled (or resumed after a pause).</summary>
    public const string Enabled = "enabled";
    /// <summary>It was disabled.</summary>
    public const string Disabled = "disabled";
    /// <summary>It was deleted.</summary>
    public const string Deleted = "deleted";

    /// <summary>The audit target of a rule: <c>rules/&lt;tenant&gt;/&lt;id&gt;</c>.</summary>
    public static string Target(string tenantId, string ruleId) => $"rules/{tenantId}/{ruleId}";
}
