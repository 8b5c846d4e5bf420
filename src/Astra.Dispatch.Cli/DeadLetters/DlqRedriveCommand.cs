using Astra.Dispatch.Bus.Operations;
using Astra.Dispatch.Cli.Infrastructure;
using Astra.Dispatch.Management;
using Spectre.Console;

namespace Astra.Dispatch.Cli.DeadLetters;

/// <summary>The shared <see cref="DeadLetterService"/> redrive (the API's too), audited as <c>cli:&lt;user&gt;</c>.</summary>
internal sealed class DlqRedriveCommand(CliOutput output) : DispatchCommand<DlqRedriveSettings>(output)
{
    private const int ProgressThreshold = 50;

    protected override async Task<int> RunAsync(DlqRedriveSettings settings, IServiceProvider services, CancellationToken cancellationToken)
    {
        var queue = DlqSettings.ErrorQueue(settings.Queue);
        var since = TimeWindow.Since(settings.Since, services.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System);
        var selection = new RedriveSelection(settings.Ids, settings.Rule, since, settings.All);
        var dlq = Get<DeadLetterService>(services);
        RedriveOutcome result;
        if (!settings.Json && Output.Console.Profile.Capabilities.Interactive)
        {
            result = await Output.Console.Progress().StartAsync(async ctx =>
            {
                var task = ctx.AddTask($"Redriving {queue}", maxValue: 1);
                return await dlq.RedriveAsync(settings.Queue, selection, DeadLetterScope.Everything, Actor.Cli(), (done, total) =>
                {
                    if (total >= ProgressThreshold)
                    {
                        task.MaxValue = total;
                        task.Value = done;
                    }
                }, cancellationToken);
            });
        }
        else
        {
            result = await dlq.RedriveAsync(settings.Queue, selection, DeadLetterScope.Everything, Actor.Cli(), null, cancellationToken);
        }

        if (settings.Json)
            Output.WriteJson(new { moved = result.Moved.Select(l => l.Id), kept = result.Kept, target = result.Target, notFound = result.NotFound });
        else
            Output.Text($"Moved {result.Moved.Count} dead letter(s) from {queue} to {result.Target}; {result.Kept} left in place.");
        if (result.NotFound.Count > 0)
        {
            await Output.Error.WriteLineAsync($"Not found in {queue}: {string.Join(", ", result.NotFound)}.");
            return ExitCodes.Failed;
        }
        return ExitCodes.Ok;
    }
}
