using Astra.Dispatch.Cli.Infrastructure;
using Astra.Dispatch.Management;

namespace Astra.Dispatch.Cli.Rules;

/// <summary>The shared <see cref="RuleService"/> import (the API's writes too): a revision and an audit entry per rule changed, as <c>cli:&lt;user&gt;</c>.</summary>
internal sealed class RulesImportCommand(CliOutput output) : DispatchCommand<RulesFileSettings>(output)
{
    protected override async Task<int> RunAsync(RulesFileSettings settings, IServiceProvider services, CancellationToken cancellationToken)
    {
        RulesValidateCommand.CheckExists(settings.Path);
        var summary = await Get<RuleService>(services).ImportAsync(settings.Path, Actor.Cli(), cancellationToken);
        if (settings.Json)
            Output.WriteJson(new { path = settings.Path, summary.Added, summary.Updated, summary.Unchanged, summary.Removed });
        else
            Output.Text($"Imported {settings.Path}: {summary.Added} added, {summary.Updated} updated, {summary.Unchanged} unchanged, {summary.Removed} removed.");
        return ExitCodes.Ok;
    }
}
