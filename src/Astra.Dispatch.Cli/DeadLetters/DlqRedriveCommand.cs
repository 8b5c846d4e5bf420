using Astra.Dispatch.Cli.Infrastructure;
using Spectre.Console;

namespace Astra.Dispatch.Cli.DeadLetters;

internal sealed class DlqRedriveCommand(CliOutput output) : DispatchCommand<DlqRedriveSettings>(output)
{
    private const int ProgressThreshold = 50;

    protected override async Task<int> RunAsync(DlqRedriveSettings settings, IServiceProvider services, CancellationToken cancellationToken)
    {
        var queue = DeadLetterQueue.ErrorQueue(settings.Queue);
        var target = DeadLetterQueue.TargetQueue(settings.Queue);
        var since = TimeWindow.Since(settings.Since, services.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System);
        var ids = settings.Ids.ToHashSet(StringComparer.Ordinal);
        bool Selected(DeadLetter l) =>
            (ids.Count == 0 || ids.Any(l.HasId))
            && (settings.Rule is null || l.RuleId == settings.Rule)
            && (since is null || l.FailedAt is null || l.FailedAt >= since);

        var dlq = new DeadLetterQueue(Get<BrokerConnector>(services));
        RedriveResult result;
        if (!settings.Json && Output.Console.Profile.Capabilities.Interactive)
        {
            result = await Output.Console.Progress().StartAsync(async ctx =>
            {
                var task = ctx.AddTask($"Redriving {queue}", maxValue: 1);
                return await dlq.RedriveAsync(queue, target, Selected, (done, total) =>
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
            result = await dlq.RedriveAsync(queue, target, Selected, null, cancellationToken);
        }

        var missing = ids.Where(id => !result.Moved.Any(l => l.HasId(id))).ToList();
        if (settings.Json)
            Output.WriteJson(new { moved = result.Moved.Select(l => l.Id), kept = result.Kept, target, notFound = missing });
        else
            Output.Text($"Moved {result.Moved.Count} dead letter(s) from {queue} to {target}; {result.Kept} left in place.");
        if (missing.Count > 0)
        {
            await Output.Error.WriteLineAsync($"Not found in {queue}: {string.Join(", ", missing)}.");
            return ExitCodes.Failed;
        }
        return ExitCodes.Ok;
    }
}
