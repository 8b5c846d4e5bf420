using Astra.Dispatch.Templating;

namespace Astra.Dispatch.Rules;

/// <summary>Bounds checked when rules are imported.</summary>
public sealed record RuleLimits
{
    public bool AllowPlainHttp { get; init; }
    public int MaxHeaders { get; init; } = 50;
    public int MaxUrlLength { get; init; } = 8192;
    public int MaxRulesPerTenant { get; init; } = 1000;
    public TimeSpan MaxTimeout { get; init; } = TimeSpan.FromMinutes(2);
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Event types and globs in one rule's <c>trigger.events</c>.</summary>
    public int MaxEventPatterns { get; init; } = 50;

    /// <summary><c>*</c> characters in one glob (<c>**</c> counts two).</summary>
    public int MaxWildcardsPerPattern { get; init; } = 8;

    public TemplateLimits Templates { get; init; } = new();
}
