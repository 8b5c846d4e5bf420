using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Astra.Dispatch.Storage;

/// <summary>
/// Claim before send: a delivery is sent only by whoever holds its claim, so a second copy of it (an event published
/// twice, a broker redelivery while the first copy is in flight, another replica) never sends it again. Claims are
/// queued on a channel and taken in one statement per batch, each waiter completed with its answer: a batch is what
/// queued up while the previous one was being written, so under load the hot path pays a batched round trip, not one
/// per delivery, and a claim never waits for company (a fixed linger of 1 ms cost a paced delivery about 4 ms at the
/// median and bought no throughput: docs/benchmark.md). The claim is released by the delivery-log batch that
/// records the attempt (<see cref="AttemptRecorded.ClaimOwner"/>).
/// </summary>
internal sealed partial class DeliveryClaims : IAsyncDisposable
{
    private const int MaxBatch = 256;

    private readonly IDeliveryClaimStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<DeliveryClaims> _logger;
    private readonly string _instance = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";
    private readonly Channel<Pending> _channel = Channel.CreateBounded<Pending>(
        new BoundedChannelOptions(10_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Lazy<Task> _loop;
    private long _sequence;

    public DeliveryClaims(IDeliveryClaimStore store, TimeProvider time, ILogger<DeliveryClaims> logger)
    {
        _store = store;
        _time = time;
        _logger = logger;
        _loop = new Lazy<Task>(() => Task.Run(RunAsync));
    }

    /// <summary>Claims taken so far by this process (tests, benchmarks).</summary>
    public long Taken => Interlocked.Read(ref _taken);

    private long _taken;

    /// <summary>A new owner name for one attempt: this process, then a sequence number.</summary>
    public string NewOwner() => $"{_instance}/{Interlocked.Increment(ref _sequence)}";

    /// <summary>Tries to claim <paramref name="deliveryId"/> for <paramref name="lease"/> under <paramref name="owner"/>.</summary>
    public async ValueTask<ClaimAnswer> ClaimAsync(string deliveryId, string owner, string tenantId, string ruleId, TimeSpan lease, CancellationToken cancellationToken)
    {
        _ = _loop.Value;
        var pending = new Pending(new ClaimRequest(deliveryId, owner, tenantId, ruleId, lease));
        await _channel.Writer.WriteAsync(pending, cancellationToken);
        return await pending.Answer.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Releases a claim whose attempt ended without an outcome to record (cancelled, crashed).</summary>
    public async Task ReleaseAsync(string deliveryId, string owner)
    {
        try
        {
            await _store.ReleaseAsync(deliveryId, owner, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // The lease runs out by itself.
            LogReleaseFailed(ex, deliveryId);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        if (_loop.IsValueCreated)
            await _loop.Value;
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _channel.Reader.WaitToReadAsync(CancellationToken.None))
        {
            // One request per delivery id per statement; a second copy of the same delivery in the same batch is
            // answered as held, exactly as it would be one batch later.
            var ids = new HashSet<string>(StringComparer.Ordinal);
            var duplicates = new List<Pending>();
            while (batch.Count < MaxBatch && _channel.Reader.TryRead(out var pending))
            {
                if (ids.Add(pending.Request.DeliveryId))
                    batch.Add(pending);
                else
                    duplicates.Add(pending);
            }
            await ClaimBatchAsync(batch);
            foreach (var duplicate in duplicates)
                duplicate.Answer.TrySetResult(new ClaimAnswer(duplicate.Request.DeliveryId, ClaimOutcome.Held, _time.GetUtcNow() + duplicate.Request.Lease));
            batch.Clear();
        }
    }

    private async Task ClaimBatchAsync(List<Pending> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var answers = (await _store.ClaimAsync([.. batch.Select(p => p.Request)], CancellationToken.None))
                    .ToDictionary(a => a.DeliveryId, StringComparer.Ordinal);
                foreach (var pending in batch)
                {
                    var answer = answers[pending.Request.DeliveryId];
                    if (answer.Outcome == ClaimOutcome.Claimed)
                        Interlocked.Increment(ref _taken);
                    pending.Answer.TrySetResult(answer);
                }
                return;
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure && attempt < 3)
            {
                // Two replicas locking overlapping claim rows in another order: one statement is chosen to fail; again.
                LogClaimRetry(ex, batch.Count);
            }
            catch (Exception ex)
            {
                // Each waiter fails its attempt; the send consumer's retry policy brings the command back.
                foreach (var pending in batch)
                    pending.Answer.TrySetException(ex);
                return;
            }
        }
    }

    private sealed class Pending(ClaimRequest request)
    {
        public ClaimRequest Request { get; } = request;

        public TaskCompletionSource<ClaimAnswer> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(EventId = 1111, Level = LogLevel.Warning, Message = "Claiming {Count} deliveries met a deadlock; retrying")]
    private partial void LogClaimRetry(Exception exception, int count);

    [LoggerMessage(EventId = 1112, Level = LogLevel.Warning, Message = "Releasing the claim on delivery {DeliveryId} failed; it is released when its lease runs out")]
    private partial void LogReleaseFailed(Exception exception, string deliveryId);
}
