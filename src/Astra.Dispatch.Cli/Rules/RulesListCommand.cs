using Astra.Dispatch.Catalog;
using Astra.Dispatch.Cli.Infrastructure;
using Astra.Dispatch.Rules;
using Spectre.Console;

namespace Astra.Dispatch.Cli.Rules;

internal sealed class RulesListCommand(CliOutput output) : DispatchCommand<RulesListSettings>(output)
{
    protected override async Task<int> RunAsync(RulesListSettings settings, IServiceProvider services, CancellationToken cancellationToken)
    {
        var (_, rows) = await Get<IRuleStore>(services).LoadAllAsync(cancellationToken);
        var compilers = Get<RuleCompilerFactory>(services);
        var items = rows.Where(r => settings.Tenant is null || r.TenantId == settings.Tenant)
            .Select(r => (Row: r, Definition: RuleLoader.Definition(r), LoadErrors: RuleLoader.LoadErrors(compilers, r))).ToList();
        if (settings.Json)
        {
            Output.WriteJson(items.Select(i => new
            {
                i.Row.Id, i.Definition.Name, i.Row.TenantId, i.Definition.AgentId, Events = i.Definition.Trigger.Events,
                i.Row.Enabled, i.Row.PausedReason, i.Row.Version, i.Row.Source, i.Row.UpdatedAt, i.LoadErrors,
            }));
            return ExitCodes.Ok;
        }
        var table = new Table().AddColumns("ID", "Tenant", "Agent", "Events", "State", "Version", "Target");
        foreach (var (row, definition, _) in items)
        {
            table.AddRow(Markup.Escape(row.Id), Markup.Escape(row.TenantId), Markup.Escape(definition.AgentId ?? "*"),
                Markup.Escape(string.Join(", ", definition.Trigger.Events)), Markup.Escape(RuleLoader.State(row)),
                row.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape($"{definition.Request.Method} {definition.Request.Url}"));
        }
        Output.Console.Write(table);
        Output.Text($"{items.Count} rule(s).");
        RuleLoader.WriteLoadWarning(Output, [.. items.Where(i => i.LoadErrors.Count > 0).Select(i => (i.Row, i.LoadErrors))]);
        return ExitCodes.Ok;
    }
}
