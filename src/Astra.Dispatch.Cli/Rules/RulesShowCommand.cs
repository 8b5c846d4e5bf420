using System.Text.Json;
using Astra.Dispatch.Cli.Infrastructure;
using Astra.Dispatch.Rules;
using Spectre.Console;

namespace Astra.Dispatch.Cli.Rules;

internal sealed class RulesShowCommand(CliOutput output) : DispatchCommand<RuleIdSettings>(output)
{
    protected override async Task<int> RunAsync(RuleIdSettings settings, IServiceProvider services, CancellationToken cancellationToken)
    {
        var row = await RuleLoader.GetAsync(Get<IRuleStore>(services), settings.Id, settings.Tenant, cancellationToken);
        var definition = RuleLoader.Definition(row);
        if (settings.Json)
        {
            Output.WriteJson(new { row.Id, row.TenantId, row.Enabled, row.PausedReason, row.Version, row.Source, row.UpdatedAt, Definition = definition });
            return ExitCodes.Ok;
        }
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("Rule", Markup.Escape(row.Id + (definition.Name is { } name ? $" ({name})" : "")));
        grid.AddRow("Tenant", Markup.Escape(row.TenantId));
        grid.AddRow("State", Markup.Escape(RuleLoader.State(row)));
        grid.AddRow("Version", row.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        grid.AddRow("Source", Markup.Escape(row.Source ?? "cli"));
        grid.AddRow("Updated", Markup.Escape(row.UpdatedAt));
        Output.Console.Write(grid);
        // The definition holds secret names only, never values.
        Output.Text(JsonSerializer.Serialize(definition, RulesExportCommand.JsonOptions));
        return ExitCodes.Ok;
    }
}
