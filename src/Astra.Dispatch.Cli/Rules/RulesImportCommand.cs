using Astra.Dispatch.Catalog;
using Astra.Dispatch.Cli.Infrastructure;

namespace Astra.Dispatch.Cli.Rules;

internal sealed class RulesImportCommand(CliOutput output) : DispatchCommand<RulesFileSettings>(output)
{
    protected override async Task<int> RunAsync(RulesFileSettings settings, IServiceProvider services, CancellationToken cancellationToken)
    {
        RulesValidateCommand.CheckExists(settings.Path);
        var summary = await Get<RuleImporter>(services).ImportAsync(settings.Path, cancellationToken);
        if (settings.Json)
            Output.WriteJson(new { path = settings.Path, summary.Added, summary.Updated, summary.Unchanged, summary.Removed });
        else
            Output.Text($"Imported {settings.Path}: {summary.Added} added, {summary.Updated} updated, {summary.Unchanged} unchanged, {summary.Removed} removed.");
        return ExitCodes.Ok;
    }
}
