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
        var since = TimeWindow.Since(settings.Since, services.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System);
        var filtered = settings.Rule is not null || since is not null;
        var what = filtered
            ? $"the dead letters in {queue}{(settings.Rule is null ? "" : $" of rule {settings.Rule}")}{(since is null ? "" : $" that failed since {since:u}")}"
            : $"every message in {queue}";
        if (!settings.Yes)
        {
            if (!Output.Console.Profile.Capabilities.Interactive)
                throw CliException.Usage($"Refusing to purge {queue} without confirmation; pass --yes.");
            if (!await Output.Console.ConfirmAsync($"Delete {Markup.Escape(what)}? This cannot be undone.", defaultValue: false, cancellationToken))
            {
                Output.Text("Nothing purged.");
                return ExitCodes.Failed;
            }
        }
        var dlq = Get<DeadLetterService>(services);
        if (!filtered)
        {
            var purged = await dlq.PurgeAsync(settings.Queue, Actor.Cli(), cancellationToken);
            if (settings.Json)
                Output.WriteJson(new { queue, purged });
            else
                Output.Text($"Purged {purged} message(s) from {queue}.");
            return ExitCodes.Ok;
        }
        var result = await dlq.PurgeAsync(settings.Queue, settings.Rule, since, Actor.Cli(), cancellationToken);
        if (settings.Json)
            Output.WriteJson(new { queue, purged = result.Moved.Count, ids = result.Moved.Select(l => l.Id), kept = result.Kept });
        else
            Output.Text($"Purged {result.Moved.Count} dead letter(s) from {queue}; {result.Kept} left in place.");
        return ExitCodes.Ok;
    }
}
