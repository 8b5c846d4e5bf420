using System.Text.Json;
using Astra.Dispatch.Catalog;
using Astra.Dispatch.Cli.Infrastructure;
using Astra.Dispatch.Rules;
using Spectre.Console;

namespace Astra.Dispatch.Cli.Rules;

internal static class RuleLoader
{
    public static RuleDefinition Definition(StoredRule row) =>
        JsonSerializer.Deserialize<RuleDefinition>(row.Definition, JsonSerializerOptions.Web)!;

    /// <summary>
    /// The rule <paramref name="id"/> of <paramref name="tenant"/>; without a tenant, the one rule of any tenant with that
    /// id, or a usage error listing the tenants when several have it.
    /// </summary>
    public static async Task<StoredRule> GetAsync(IRuleStore store, string id, string? tenant, CancellationToken cancellationToken)
    {
        if (tenant is not null)
        {
            return await store.GetAsync(tenant, id, cancellationToken)
                ?? throw CliException.Failed($"Rule '{id}' does not exist for tenant '{tenant}'.");
        }
        return await store.FindByIdAsync(id, cancellationToken) switch
        {
            [] => throw CliException.Failed($"Rule '{id}' does not exist."),
            [var only] => only,
            var several => throw CliException.Usage(
                $"Rule '{id}' exists for tenants {string.Join(", ", several.Select(r => r.TenantId))}: add --tenant to say which."),
        };
    }

    public static CompiledRule Compile(RuleCompilerFactory compilers, StoredRule row)
    {
        var errors = new List<RuleError>();
        return compilers.ForRuntime().Compile(Definition(row), row.Version, row.Enabled, row.PausedReason, "database", errors)
            ?? throw CliException.Failed($"Rule '{row.Id}' in the database is no longer valid: {string.Join("; ", errors)}.");
    }

    public static string State(StoredRule row) => row.Enabled ? "enabled" : row.PausedReason is { } why ? $"paused: {why}" : "disabled";

    /// <summary>
    /// Why a worker with the CLI's settings would skip this stored rule when loading it (as <see cref="RuleCatalog"/>
    /// does), e.g. an <c>http://</c> URL under <c>Dispatch:Http:AllowPlainHttp=false</c>; empty when it would load it.
    /// </summary>
    public static IReadOnlyList<string> LoadErrors(RuleCompilerFactory compilers, StoredRule row)
    {
        var errors = new List<RuleError>();
        compilers.ForRuntime().Compile(Definition(row), row.Version, row.Enabled, row.PausedReason, "database", errors);
        return [.. errors.Select(e => e.Path.Length == 0 ? e.Message : $"{e.Path}: {e.Message}")];
    }

    /// <summary>
    /// The stored rules are shown as stored; this says which of them a worker configured like this CLI would refuse,
    /// because the CLI and the worker often run with different settings (the demo's worker allows plain HTTP).
    /// </summary>
    public static void WriteLoadWarning(CliOutput output, IReadOnlyList<(StoredRule Row, IReadOnlyList<string> Errors)> refused)
    {
        if (refused.Count == 0)
            return;
        output.Line($"[yellow]Warning:[/] a worker with the settings this CLI reads (its appsettings.json, --config, Dispatch__* variables) "
            + $"would skip {refused.Count} of the stored rules:");
        // One line per reason: a setting usually refuses many rules for the same reason.
        foreach (var reason in refused.SelectMany(r => r.Errors.Select(e => (Error: e, r.Row))).GroupBy(x => x.Error, StringComparer.Ordinal))
            output.Line($"  {Markup.Escape(string.Join(", ", reason.Select(x => $"{x.Row.Id} ({x.Row.TenantId})")))}: {Markup.Escape(reason.Key)}");
    }
}
