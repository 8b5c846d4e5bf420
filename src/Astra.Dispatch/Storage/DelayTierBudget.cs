using Astra.Dispatch.Rules;

namespace Astra.Dispatch.Storage;

/// <summary>One retry delay of one stored rule, as its store reads it from the definitions (settable, for Dapper).</summary>
internal sealed class StoredDelay
{
    public string TenantId { get; set; } = "";

    public string Id { get; set; } = "";

    public string Delay { get; set; } = "";
}

/// <summary>
/// The bound on delay tiers, checked in the import's transaction against what is stored: every distinct retry delay is a
/// broker queue, so the delays of all rules (of every tenant), the default schedule and the deferral tiers together may
/// not pass <see cref="ImportLimits.MaxDelayTiers"/>. Only an import that adds a delay no other stored rule has can be
/// refused, so lowering the limit never blocks edits that keep to the delays in use.
/// </summary>
internal static class DelayTierBudget
{
    /// <param name="stored">The delays of every stored rule, the imported ones included, after the import's writes.</param>
    /// <param name="imported">The rules being imported.</param>
    /// <param name="limits">The limit and the delays in use whatever the rules say.</param>
    public static void Check(IEnumerable<StoredDelay> stored, IReadOnlyList<RuleDefinition> imported, ImportLimits limits)
    {
        var importedKeys = imported.Select(r => (r.TenantId, r.Id)).ToHashSet();
        var all = new HashSet<TimeSpan>(limits.FixedDelayTiers);
        var others = new HashSet<TimeSpan>(limits.FixedDelayTiers);
        var mine = new HashSet<TimeSpan>();
        foreach (var row in stored)
        {
            if (!Durations.TryParse(row.Delay, out var delay))
                continue;
            all.Add(delay);
            (importedKeys.Contains((row.TenantId, row.Id)) ? mine : others).Add(delay);
        }
        if (all.Count <= limits.MaxDelayTiers)
            return;
        var added = mine.Except(others).Order().ToList();
        if (added.Count == 0)
            return;
        var rule = imported.FirstOrDefault(r => (r.Retry?.Schedule ?? []).Any(d => Durations.TryParse(d, out var t) && added.Contains(t)));
        throw new RuleValidationException([new RuleError("import", rule?.Id ?? "", "retry.schedule",
            $"adds the retry delay(s) {string.Join(", ", added.Select(Durations.Format))}, which would make {all.Count} distinct delay tiers across all "
            + $"stored rules, the default schedule and the deferral tiers; the limit is {limits.MaxDelayTiers} (Dispatch:Delivery:MaxDelayTiers). "
            + "Use delays that other rules already use")]);
    }
}
