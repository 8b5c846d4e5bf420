using System.Threading.Channels;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Astra.Dispatch.Storage;

/// <summary>
/// Writes the delivery and attempt log in batches on a background task, so SQLite never sits on the
/// consumer path. The channel is bounded: when the disk falls behind, producers wait rather than grow memory.
/// On stop, everything queued is flushed before the host exits.
/// </summary>
public sealed partial class DeliveryJournal(SqliteDatabase database, TimeProvider time, ILogger<DeliveryJournal> logger) : BackgroundService
{
    private const int MaxBatch = 1000;

    /// <summary>
    /// How long the writer lets a batch fill after its first entry. Each transaction has a fixed cost (statements
    /// prepared, WAL commit) that dominated when batches held a handful of entries; the log lags by this much more.
    /// </summary>
    private static readonly TimeSpan BatchLinger = TimeSpan.FromMilliseconds(20);

    private readonly Channel<JournalEntry> _channel = Channel.CreateBounded<JournalEntry>(
        new BoundedChannelOptions(50_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private long _written;
    private volatile bool _stopping;

    /// <summary>Entries committed to SQLite so far (tests and benchmarks wait on it).</summary>
    public long Written => Interlocked.Read(ref _written);

    public ValueTask AppendAsync(JournalEntry entry, CancellationToken cancellationToken) =>
        _channel.Writer.TryWrite(entry) ? ValueTask.CompletedTask : _channel.Writer.WriteAsync(entry, cancellationToken);

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
        var batch = new List<JournalEntry>(MaxBatch);
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

    private async Task WriteWithRetryAsync(List<JournalEntry> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await WriteAsync(batch);
                Interlocked.Add(ref _written, batch.Count);
                return;
            }
            catch (Exception ex) when (attempt < 5)
            {
                LogWriteRetry(ex, batch.Count, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
            }
            catch (Exception ex)
            {
                LogWriteFailed(ex, batch.Count);
                return;
            }
        }
    }

    private async Task WriteAsync(List<JournalEntry> batch)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        // In WAL mode NORMAL stays consistent after a crash; only the last commits before a power cut can be lost.
        await connection.ExecuteAsync("PRAGMA synchronous=NORMAL");
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync();
        // Each statement is prepared once per batch and re-bound per entry: parsing SQL per row cost more than the writes.
        using var statements = new JournalStatements(connection, tx);
        var createdAt = CreatedWithAttempt(batch);
        foreach (var entry in batch)
        {
            switch (entry)
            {
                case DeliveryCreated c when !createdAt.ContainsKey(c.DeliveryId):
                    await statements.CreateAsync(c);
                    break;
                case AttemptRecorded a:
                    await statements.RecordAttemptAsync(a, createdAt.GetValueOrDefault(a.DeliveryId, a.At));
                    break;
            }
        }
        await tx.CommitAsync();
    }

    /// <summary>
    /// Creation times of the deliveries that also have an attempt in this batch. Their pending row is never
    /// written: the attempt's upsert creates the row with this creation time, which spares a third of the
    /// b-tree writes per delivery when deliveries are fast (they usually land in the same batch as their creation).
    /// </summary>
    private static Dictionary<string, DateTimeOffset> CreatedWithAttempt(List<JournalEntry> batch)
    {
        var attempted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in batch)
        {
            if (entry is AttemptRecorded)
                attempted.Add(entry.DeliveryId);
        }
        var createdAt = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var entry in batch)
        {
            if (entry is DeliveryCreated && attempted.Contains(entry.DeliveryId))
                createdAt.TryAdd(entry.DeliveryId, entry.At);
        }
        return createdAt;
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Writing {Count} delivery log entries failed (attempt {Attempt}); retrying")]
    private partial void LogWriteRetry(Exception exception, int count, int attempt);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Error, Message = "Dropped {Count} delivery log entries after repeated write failures")]
    private partial void LogWriteFailed(Exception exception, int count);
}
