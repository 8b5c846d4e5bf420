namespace Astra.Dispatch.Rules;

/// <summary>
/// Where rules are kept (one implementation per supported database). A rule is identified by its tenant and id: two
/// tenants may use the same id, and an import never changes the tenant of a stored rule. Every change bumps the rules
/// generation, so the rule cache of every process (replicas, the CLI, the console) can tell cheaply that it is stale.
/// </summary>
public interface IRuleStore
{
    /// <summary>The current rules generation.</summary>
    Task<long> GetGenerationAsync(CancellationToken cancellationToken);

    /// <summary>Every rule with the generation they were read at (one consistent snapshot).</summary>
    Task<(long Generation, IReadOnlyList<StoredRule> Rules)> LoadAllAsync(CancellationToken cancellationToken);

    /// <summary>One tenant's rule, or null.</summary>
    Task<StoredRule?> GetAsync(string tenantId, string id, CancellationToken cancellationToken);

    /// <summary>The rules of every tenant that have this id (to resolve an id given without its tenant).</summary>
    Task<IReadOnlyList<StoredRule>> FindByIdAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Upserts rules in one transaction, each under its own (tenant, id). An unchanged definition keeps its version and
    /// state (a paused rule stays paused across restarts); with <paramref name="source"/>, rules last imported from it
    /// that are no longer there are deleted. The <paramref name="limits"/> hold for what is stored, checked in the same
    /// transaction: a tenant left with too many rules, or new retry delays that take the distinct delay tiers past their
    /// limit, fail the whole import (<see cref="RuleValidationException"/>).
    /// </summary>
    Task<ImportSummary> ImportAsync(IReadOnlyList<RuleDefinition> rules, string? source, ImportLimits limits, CancellationToken cancellationToken);

    /// <summary>Enables or disables a rule; a reason marks it paused by the worker rather than by an operator. False when it does not exist.</summary>
    Task<bool> SetEnabledAsync(string tenantId, string id, bool enabled, string? pausedReason, CancellationToken cancellationToken);

    /// <summary>Deletes a rule; false when it does not exist.</summary>
    Task<bool> DeleteAsync(string tenantId, string id, CancellationToken cancellationToken);
}

/// <summary>Shorthands of <see cref="IRuleStore"/>.</summary>
public static class RuleStoreExtensions
{
    /// <summary>Imports with only the per-tenant rule limit set (the default delay-tier limit, no fixed tiers).</summary>
    public static Task<ImportSummary> ImportAsync(this IRuleStore store, IReadOnlyList<RuleDefinition> rules, string? source, int maxRulesPerTenant,
        CancellationToken cancellationToken) =>
        store.ImportAsync(rules, source, new ImportLimits { MaxRulesPerTenant = maxRulesPerTenant }, cancellationToken);
}

/// <summary>What an import changed.</summary>
public sealed record ImportSummary(int Added, int Updated, int Unchanged, int Removed);
