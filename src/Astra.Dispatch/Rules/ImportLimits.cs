namespace Astra.Dispatch.Rules;

/// <summary>The bounds an import must keep across everything stored, checked in the import's transaction.</summary>
public sealed record ImportLimits
{
    /// <summary>Rules one tenant may have (<c>Dispatch:MaxRulesPerTenant</c>).</summary>
    public int MaxRulesPerTenant { get; init; } = 1000;

    /// <summary>
    /// Distinct retry delays across all stored rules, the default schedule and the deferral tiers
    /// (<c>Dispatch:Delivery:MaxDelayTiers</c>): each is a broker queue.
    /// </summary>
    public int MaxDelayTiers { get; init; } = 32;

    /// <summary>The delays every worker uses whatever the rules say: the default schedule and the deferral tiers.</summary>
    public IReadOnlyCollection<TimeSpan> FixedDelayTiers { get; init; } = [];
}
