using Astra.Dispatch.Cli.Infrastructure;
using Astra.Dispatch.Rules;
using Spectre.Console;

namespace Astra.Dispatch.Cli.Rules;

public sealed class RulesListCommand(CliOutput output) : DispatchCommand<RulesListSettings>(output)
{
    protected override async Task<int> RunAsync(RulesListSettings settings, IServiceProvider services, CancellationToken cancellationToken)
    {
        var (_, rows) = await Get<IRuleStore>(services).LoadAllAsync(cancellationToken);
        var items = rows.Where(r => settings.Tenant is null || r.TenantId == settings.Tenant)
            .Select(r => (Row: r, Definition: RuleLoader.Definition(r))).ToList();
        if (settings.Json)
        {
            Output.WriteJson(items.Select(i => new
            {
                i.Row.Id, i.Definition.Name, i.Row.TenantId, i.Definition.AgentId, Events = i.Definition.Trigger.Events,
                i.Row.Enabled, i.Row.PausedReason, i.Row.Version, i.Row.Source, i.Row.UpdatedAt,
            }));
            return ExitCodes.Ok;
        }
        var table = new Table().AddColumns("ID", "Tenant", "Agent", "Events", "State", "Version", "Target");
        foreach (var (row, definition) in items)
        {
            table.AddRow(Markup.Escape(row.Id), Markup.Escape(row.TenantId), Markup.Escape(definition.AgentId ?? "*"),
                Markup.Escape(string.Join(", ", definition.Trigger.Events)), Markup.Escape(RuleLoader.State(row)),
                row.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape($"{definition.Request.Method} {definition.Request.Url}"));
        }
        Output.Console.Write(table);
        Output.Text($"{items.Count} rule(s).");
        return ExitCodes.Ok;
    }
}
