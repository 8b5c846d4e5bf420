using Astra.Dispatch.Rules;
using Astra.Dispatch.Security;
using Astra.Dispatch.Templating;

namespace Astra.Dispatch.Catalog;

/// <summary>Bounds checked when rules are imported.</summary>
public sealed record RuleLimits
{
    /// <summary>Whether <c>http://</c> URLs are allowed (<c>Dispatch:Http:AllowPlainHttp</c>).</summary>
    public bool AllowPlainHttp { get; init; }

    /// <summary>Headers per rule.</summary>
    public int MaxHeaders { get; init; } = 50;

    /// <summary>Characters of a URL template.</summary>
    public int MaxUrlLength { get; init; } = 8192;

    /// <summary>Rules one tenant may have (<c>Dispatch:MaxRulesPerTenant</c>).</summary>
    public int MaxRulesPerTenant { get; init; } = 1000;

    /// <summary>The longest request timeout a rule may ask for.</summary>
    public TimeSpan MaxTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The longest delay of a retry schedule.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Distinct retry delays (delay tiers) across all stored rules and the fixed ones (<c>Dispatch:Delivery:MaxDelayTiers</c>).</summary>
    public int MaxDelayTiers { get; init; } = 32;

    /// <summary>The delays in use whatever the rules say: the default schedule and the deferral tiers.</summary>
    public IReadOnlyCollection<TimeSpan> FixedDelayTiers { get; init; } = [];

    /// <summary>The limits an import keeps across everything stored.</summary>
    public ImportLimits Import => new() { MaxRulesPerTenant = MaxRulesPerTenant, MaxDelayTiers = MaxDelayTiers, FixedDelayTiers = FixedDelayTiers };

    /// <summary>Event types and globs in one rule's <c>trigger.events</c>.</summary>
    public int MaxEventPatterns { get; init; } = 50;

    /// <summary><c>*</c> characters in one glob (<c>**</c> counts two).</summary>
    public int MaxWildcardsPerPattern { get; init; } = 8;

    /// <summary>The template limits (<c>Dispatch:Templates</c>).</summary>
    public TemplateLimits Templates { get; init; } = new();

    /// <summary>The tenants' network policies (their ports); null: 443, and 80 with plain HTTP, for every tenant.</summary>
    internal NetworkPolicies? Networks { get; init; }

    /// <summary>Null when the tenant's rules may use <paramref name="port"/>; otherwise why not.</summary>
    internal string? PortRefusal(string tenantId, int port) =>
        (Networks?.For(tenantId) ?? new NetworkPolicy([], null, AllowPlainHttp)).PortRefusal(port);
}
