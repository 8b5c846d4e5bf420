namespace Astra.Dispatch.Rules;

/// <summary>
/// Where rules are kept (one implementation per supported database). Every change bumps the rules generation, so
/// the rule cache of every process (replicas, the CLI, the console) can tell cheaply that it is stale.
/// </summary>
public interface IRuleStore
{
    /// <summary>The current rules generation.</summary>
    Task<long> GetGenerationAsync(CancellationToken cancellationToken);

    /// <summary>Every rule with the generation they were read at (one consistent snapshot).</summary>
    Task<(long Generation, IReadOnlyList<StoredRule> Rules)> LoadAllAsync(CancellationToken cancellationToken);

    /// <summary>One rule, or null.</summary>
    Task<StoredRule?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Upserts rules in one transaction. An unchanged definition keeps its version and state (a paused rule stays
    /// paused across restarts); with <paramref name="source"/>, rules last imported from it that are no longer there
    /// are deleted.
    /// </summary>
    Task<ImportSummary> ImportAsync(IReadOnlyList<RuleDefinition> rules, string? source, CancellationToken cancellationToken);

    /// <summary>Enables or disables a rule; a reason marks it paused by the worker rather than by an operator. False when it does not exist.</summary>
    Task<bool> SetEnabledAsync(string id, bool enabled, string? pausedReason, CancellationToken cancellationToken);

    /// <summary>Deletes a rule; false when it does not exist.</summary>
    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken);
}

/// <summary>What an import changed.</summary>
public sealed record ImportSummary(int Added, int Updated, int Unchanged, int Removed);
