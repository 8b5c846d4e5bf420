using Astra.Dispatch.Bus.Operations;
using Astra.Dispatch.Cli.Infrastructure;
using Astra.Dispatch.Management;
using Spectre.Console;

namespace Astra.Dispatch.Cli.DeadLetters;

internal sealed class DlqPurgeCommand(CliOutput output) : DispatchCommand<DlqPurgeSettings>(output)
{
    protected override async Task<int> RunAsync(DlqPurgeSettings settings, IServiceProvider services, CancellationToken cancellationToken)
    {
        var queue = DlqSettings.ErrorQueue(settings.Queue);
        if (!settings.Yes)
        {
            if (!Output.Console.Profile.Capabilities.Interactive)
                throw CliException.Usage($"Refusing to purge {queue} without confirmation; pass --yes.");
            if (!await Output.Console.ConfirmAsync($"Delete every message in {queue}? This cannot be undone.", defaultValue: false, cancellationToken))
            {
                Output.Text("Nothing purged.");
                return ExitCodes.Failed;
            }
        }
        var purged = await Get<DeadLetterService>(services).PurgeAsync(settings.Queue, Actor.Cli(), cancellationToken);
        if (settings.Json)
            Output.WriteJson(new { queue, purged });
        else
            Output.Text($"Purged {purged} message(s) from {queue}.");
        return ExitCodes.Ok;
    }
}
