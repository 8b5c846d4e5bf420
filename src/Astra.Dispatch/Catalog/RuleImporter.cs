using Astra.Dispatch.Rules;

namespace Astra.Dispatch.Catalog;

/// <summary>
/// Validates whole rules files and imports them atomically: every error is reported at once, and nothing is
/// written unless all rules are valid.
/// </summary>
public sealed class RuleImporter(RuleCompilerFactory compilers, IRuleStore store)
{
    /// <summary>Reads and validates a file or folder; throws <see cref="RuleValidationException"/> with every error.</summary>
    public IReadOnlyList<RuleDefinition> Validate(string path)
    {
        var errors = new List<RuleError>();
        var rules = new List<(RuleDefinition Rule, string Source)>();
        foreach (var file in RuleDocumentReader.FilesOf(path))
            rules.AddRange(RuleDocumentReader.ReadFile(file, errors).Select(r => (r, Path.GetFileName(file))));
        Check(rules, errors);
        return [.. rules.Select(r => r.Rule)];
    }

    /// <summary>Validates rules given as text (a YAML or JSON document named <paramref name="source"/>).</summary>
    public IReadOnlyList<RuleDefinition> ValidateText(string text, string source)
    {
        var errors = new List<RuleError>();
        var rules = RuleDocumentReader.Read(text, source, errors).Select(r => (r, source)).ToList();
        Check(rules, errors);
        return [.. rules.Select(r => r.r)];
    }

    /// <summary>Imports a file or folder; rules previously imported from the same path and now gone are removed.</summary>
    public async Task<ImportSummary> ImportAsync(string path, CancellationToken cancellationToken)
    {
        var rules = Validate(path);
        return await store.ImportAsync(rules, Path.GetFullPath(path), compilers.Limits.Import, cancellationToken);
    }

    private void Check(List<(RuleDefinition Rule, string Source)> rules, List<RuleError> errors)
    {
        var compiler = compilers.ForImport();
        foreach (var (rule, source) in rules)
            compiler.Compile(rule, 1, rule.Enabled, null, source, errors);
        foreach (var duplicate in rules.GroupBy(r => (r.Rule.TenantId, r.Rule.Id)).Where(g => g.Count() > 1))
        {
            errors.Add(new RuleError(string.Join(", ", duplicate.Select(d => d.Source).Distinct()), duplicate.Key.Id, "id",
                $"is used by {duplicate.Count()} rules of tenant '{duplicate.Key.TenantId}'; ids must be unique within a tenant"));
        }
        var limit = compilers.Limits.MaxRulesPerTenant;
        foreach (var tenant in rules.GroupBy(r => r.Rule.TenantId).Where(g => g.Count() > limit))
            errors.Add(new RuleError(tenant.First().Source, "", "", $"tenant '{tenant.Key}' has {tenant.Count()} rules; the limit is {limit} (Dispatch:MaxRulesPerTenant)"));
        CheckDelayTiers(rules, errors);
        if (errors.Count > 0)
            throw new RuleValidationException(errors);
    }

    /// <summary>The delay tiers of these rules alone (the store counts the stored ones too, when importing).</summary>
    private void CheckDelayTiers(List<(RuleDefinition Rule, string Source)> rules, List<RuleError> errors)
    {
        var limits = compilers.Limits;
        var tiers = new HashSet<TimeSpan>(limits.FixedDelayTiers);
        foreach (var (rule, _) in rules)
        {
            foreach (var delay in rule.Retry?.Schedule ?? [])
            {
                if (Durations.TryParse(delay, out var tier))
                    tiers.Add(tier);
            }
        }
        if (tiers.Count > limits.MaxDelayTiers)
        {
            errors.Add(new RuleError(string.Join(", ", rules.Select(r => r.Source).Distinct()), "", "retry.schedule",
                $"the rules use {tiers.Count} distinct retry delays with the default schedule and the deferral tiers; the limit is {limits.MaxDelayTiers} "
                + "(Dispatch:Delivery:MaxDelayTiers): each delay is a broker queue, so share delays between rules"));
        }
    }
}
