using System.Text.Json;
using Astra.Dispatch.Catalog;
using Astra.Dispatch.Cli.Infrastructure;
using Astra.Dispatch.Rules;

namespace Astra.Dispatch.Cli.Rules;

internal static class RuleLoader
{
    public static RuleDefinition Definition(StoredRule row) =>
        JsonSerializer.Deserialize<RuleDefinition>(row.Definition, JsonSerializerOptions.Web)!;

    public static async Task<StoredRule> GetAsync(IRuleStore store, string id, CancellationToken cancellationToken) =>
        await store.GetAsync(id, cancellationToken) ?? throw CliException.Failed($"Rule '{id}' does not exist.");

    public static CompiledRule Compile(RuleCompilerFactory compilers, StoredRule row)
    {
        var errors = new List<RuleError>();
        return compilers.ForRuntime().Compile(Definition(row), row.Version, row.Enabled, row.PausedReason, "database", errors)
            ?? throw CliException.Failed($"Rule '{row.Id}' in the database is no longer valid: {string.Join("; ", errors)}.");
    }

    public static string State(StoredRule row) => row.Enabled ? "enabled" : row.PausedReason is { } why ? $"paused: {why}" : "disabled";
}
