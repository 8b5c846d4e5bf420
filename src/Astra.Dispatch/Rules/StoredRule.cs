namespace Astra.Dispatch.Rules;

/// <summary>A rule row: its definition JSON plus the state operators and the worker change.</summary>
public sealed class StoredRule
{
    public string Id { get; init; } = "";
    public string TenantId { get; init; } = "";
    public string Definition { get; init; } = "";
    public long Version { get; init; }
    public bool Enabled { get; init; }
    public string? PausedReason { get; init; }
    public string? Source { get; init; }
    public string UpdatedAt { get; init; } = "";
}
