using System.Collections.Concurrent;
using System.Collections.Frozen;

namespace Astra.Dispatch.Catalog;

/// <summary>
/// An immutable snapshot of the loaded rules, indexed by tenant and event type so matching an event never
/// scans other tenants' rules. Glob results per (tenant, type) are memoised.
/// </summary>
public sealed class RuleIndex
{
    /// <summary>No rules.</summary>
    public static readonly RuleIndex Empty = new([], 0);

    private readonly FrozenDictionary<(string TenantId, string Id), CompiledRule> _byKey;
    private readonly FrozenDictionary<string, TenantRules> _byTenant;

    /// <summary>Indexes <paramref name="rules"/>, read at <paramref name="generation"/>.</summary>
    public RuleIndex(IReadOnlyList<CompiledRule> rules, long generation)
    {
        Generation = generation;
        _byKey = rules.ToFrozenDictionary(r => (r.TenantId, r.Id));
        _byTenant = rules.Where(r => r.Enabled).GroupBy(r => r.TenantId, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => new TenantRules([.. g]), StringComparer.Ordinal);
    }

    /// <summary>The rules generation this snapshot was read at.</summary>
    public long Generation { get; }

    /// <summary>Rules in the snapshot.</summary>
    public int Count => _byKey.Count;

    /// <summary>Enabled rules.</summary>
    public int EnabledCount => _byTenant.Values.Sum(t => t.Count);

    /// <summary>Every rule, enabled or not.</summary>
    public IEnumerable<CompiledRule> All => _byKey.Values;

    /// <summary>The tenant's rule with this id, or null: a rule is only ever found within its own tenant.</summary>
    public CompiledRule? Find(string tenantId, string ruleId) => _byKey.GetValueOrDefault((tenantId, ruleId));

    /// <summary>Enabled rules of the tenant whose trigger lists this type and whose agent filter accepts the agent.</summary>
    public IReadOnlyList<CompiledRule> Candidates(string tenantId, string eventType, string? agentId)
    {
        if (!_byTenant.TryGetValue(tenantId, out var tenant))
            return [];
        var byType = tenant.ForType(eventType);
        if (byType.Length == 0 || byType.All(r => r.AgentId is null))
            return byType;
        return [.. byType.Where(r => r.AcceptsAgent(agentId))];
    }

    private sealed class TenantRules(CompiledRule[] rules)
    {
        public int Count => rules.Length;

        private const int MaxMemoisedTypes = 10_000;
        private readonly ConcurrentDictionary<string, CompiledRule[]> _byType = new(StringComparer.Ordinal);

        public CompiledRule[] ForType(string eventType)
        {
            if (_byType.TryGetValue(eventType, out var hit))
                return hit;
            var matched = rules.Where(r => r.MatchesType(eventType)).ToArray();
            // Event types come from publishers; bound the memo so a flood of distinct types cannot grow it forever.
            if (_byType.Count < MaxMemoisedTypes)
                _byType.TryAdd(eventType, matched);
            return matched;
        }
    }
}
