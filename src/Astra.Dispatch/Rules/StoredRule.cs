namespace Astra.Dispatch.Rules;

/// <summary>A rule row: its definition JSON plus the state operators and the worker change.</summary>
public sealed class StoredRule
{
    /// <summary>The rule id.</summary>
    public string Id { get; init; } = "";
    /// <summary>The rule's tenant.</summary>
    public string TenantId { get; init; } = "";
    /// <summary>The definition as JSON.</summary>
    public string Definition { get; init; } = "";
    /// <summary>Bumped by every change of the definition.</summary>
    public long Version { get; init; }
    /// <summary>Whether it is enabled.</summary>
    public bool Enabled { get; init; }
    /// <summary>Why the worker paused it; null when enabled or disabled by an operator.</summary>
    public string? PausedReason { get; init; }
    /// <summary>The rules file it was last imported from, if any.</summary>
    public string? Source { get; init; }
    /// <summary>When it last changed (UTC, round-trip format).</summary>
    public string UpdatedAt { get; init; } = "";
}
