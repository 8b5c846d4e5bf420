using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Astra.Dispatch.Storage;

/// <summary>
/// The <see cref="IDeliveryLog"/>: writes are queued on a bounded channel and committed in batches by a background
/// task, so the database never sits on the consumer path; when it falls behind, producers wait rather than grow
/// memory. On stop, everything queued is flushed before the host exits. Reads go straight to the store.
/// </summary>
internal sealed partial class DeliveryLog(IDeliveryLogStore store, TimeProvider time, ILogger<DeliveryLog> logger) : BackgroundService, IDeliveryLog
{
    private const int MaxBatch = 1000;

    /// <summary>
    /// How long the writer lets a batch fill after its first entry: each transaction has a fixed cost (statements
    /// prepared, a commit) that dominates when batches hold a handful of entries; the log lags by this much more.
    /// </summary>
    private static readonly TimeSpan BatchLinger = TimeSpan.FromMilliseconds(20);

    private readonly Channel<DeliveryLogEntry> _channel = Channel.CreateBounded<DeliveryLogEntry>(
        new BoundedChannelOptions(50_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private long _written;
    private volatile bool _stopping;

    public long Written => Interlocked.Read(ref _written);

    public ValueTask AppendAsync(DeliveryLogEntry entry, CancellationToken cancellationToken) =>
        _channel.Writer.TryWrite(entry) ? ValueTask.CompletedTask : _channel.Writer.WriteAsync(entry, cancellationToken);

    public Task<string?> GetStatusAsync(string deliveryId, CancellationToken cancellationToken) => store.GetStatusAsync(deliveryId, cancellationToken);

    public Task<IReadOnlySet<string>> FindExistingAsync(IReadOnlyCollection<string> deliveryIds, CancellationToken cancellationToken) =>
        store.FindExistingAsync(deliveryIds, cancellationToken);

    public Task<bool> FailingSinceAsync(string tenantId, string ruleId, DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        store.FailingSinceAsync(tenantId, ruleId, cutoff, cancellationToken);

    public Task<IReadOnlyList<DeliveryRecord>> ListAsync(DeliveryQuery query, CancellationToken cancellationToken) => store.ListAsync(query, cancellationToken);

    public Task<DeliveryRecord?> GetAsync(string deliveryId, CancellationToken cancellationToken) => store.GetAsync(deliveryId, cancellationToken);

    public Task<IReadOnlyList<AttemptRecord>> ListAttemptsAsync(string deliveryId, CancellationToken cancellationToken) =>
        store.ListAttemptsAsync(deliveryId, cancellationToken);

    public Task<IReadOnlyDictionary<string, long>> CountByStatusAsync(DateTimeOffset since, CancellationToken cancellationToken) =>
        store.CountByStatusAsync(since, cancellationToken);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        _channel.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
        // A host stopped right after starting cancels ExecuteAsync before it has run: flush what was queued here.
        if (ExecuteTask is null || ExecuteTask.IsCanceled)
            await DrainAsync();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => DrainAsync();

    private async Task DrainAsync()
    {
        var batch = new List<DeliveryLogEntry>(MaxBatch);
        // Not stoppingToken: after StopAsync completes the writer, the loop drains what is left, then ends.
        while (await _channel.Reader.WaitToReadAsync(CancellationToken.None))
        {
            if (_channel.Reader.Count < MaxBatch && !_stopping)
                await Task.Delay(BatchLinger, time);
            while (batch.Count < MaxBatch && _channel.Reader.TryRead(out var entry))
                batch.Add(entry);
            await WriteWithRetryAsync(batch);
            batch.Clear();
        }
    }

    private async Task WriteWithRetryAsync(List<DeliveryLogEntry> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await store.WriteBatchAsync(batch, CancellationToken.None);
                Interlocked.Add(ref _written, batch.Count);
                return;
            }
            catch (Exception ex) when (attempt < 5)
            {
                LogWriteRetry(ex, batch.Count, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), time);
            }
            catch (Exception ex)
            {
                LogWriteFailed(ex, batch.Count);
                return;
            }
        }
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Writing {Count} delivery log entries failed (attempt {Attempt}); retrying")]
    private partial void LogWriteRetry(Exception exception, int count, int attempt);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Error, Message = "Dropped {Count} delivery log entries after repeated write failures")]
    private partial void LogWriteFailed(Exception exception, int count);
}
