using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Storage;

/// <summary>
/// Prunes the delivery log in the background: every <see cref="RetentionOptions.RetentionInterval"/>, deliveries not
/// updated within <see cref="RetentionOptions.Retention"/> go with their attempts, claims and events, a batch per
/// transaction with a pause between batches, so pruning a large backlog never holds the log's writer for long. With
/// several replicas on PostgreSQL one prunes at a time (the others skip the round).
/// </summary>
internal sealed partial class DeliveryLogRetention(IDeliveryLogStore store, IOptions<RetentionOptions> options, TimeProvider time,
    ILogger<DeliveryLogRetention> logger) : BackgroundService
{
    public const int BatchSize = 2000;

    private static readonly TimeSpan BetweenBatches = TimeSpan.FromMilliseconds(50);

    /// <summary>Prunes everything older than the retention, batch by batch; the rows deleted.</summary>
    public async Task<PruneResult> PruneAsync(CancellationToken cancellationToken)
    {
        var total = new PruneResult(0, 0, 0, 0);
        if (options.Value.Retention <= TimeSpan.Zero)
            return total;
        var clock = Stopwatch.StartNew();
        var cutoff = time.GetUtcNow() - options.Value.Retention;
        while (!cancellationToken.IsCancellationRequested)
        {
            var batch = await store.PruneAsync(cutoff, BatchSize, cancellationToken);
            total = new PruneResult(total.Deliveries + batch.Deliveries, total.Attempts + batch.Attempts, total.Claims + batch.Claims, total.Events + batch.Events);
            if (batch.Deliveries < BatchSize && batch.Claims < BatchSize && batch.Events < BatchSize)
                break;
            await Task.Delay(BetweenBatches, time, cancellationToken);
        }
        if (total.Total > 0)
            LogPruned(total.Deliveries, total.Attempts, total.Claims, total.Events, cutoff, clock.ElapsedMilliseconds);
        return total;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Retention <= TimeSpan.Zero)
            return;
        var interval = options.Value.RetentionInterval;
        // Not at once: starting is busy enough, and replicas restarted together should not all prune together.
        var first = interval < TimeSpan.FromMinutes(1) ? interval : TimeSpan.FromMinutes(1);
        try
        {
            await Task.Delay(first * (0.5 + Random.Shared.NextDouble() / 2), time, stoppingToken);
            using var timer = new PeriodicTimer(interval, time);
            do
            {
                try
                {
                    await PruneAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogPruneFailed(ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 1121, Level = LogLevel.Information,
        Message = "Pruned the delivery log before {Cutoff}: {Deliveries} deliveries, {Attempts} attempts, {Claims} claims, {Events} events in {ElapsedMs} ms")]
    private partial void LogPruned(int deliveries, int attempts, int claims, int events, DateTimeOffset cutoff, long elapsedMs);

    [LoggerMessage(EventId = 1122, Level = LogLevel.Warning, Message = "Pruning the delivery log failed; trying again next round")]
    private partial void LogPruneFailed(Exception exception);
}
