using System.Collections.Concurrent;
using Astra.Dispatch.Storage;

namespace Astra.Dispatch.Tests.Support;

/// <summary>
/// The delivery log over a real store, without the background batching: every entry is committed as it is appended,
/// so a test reads back at once what a decision recorded. Counts the status reads (the hot-path lookups).
/// </summary>
internal sealed class WriteThroughDeliveryLog(IDeliveryLogStore store) : IDeliveryLog
{
    private readonly ConcurrentQueue<DeliveryLogEntry> _entries = new();
    private int _statusReads;

    public IReadOnlyList<DeliveryLogEntry> Entries => [.. _entries];

    public IReadOnlyList<AttemptRecorded> Attempts => [.. _entries.OfType<AttemptRecorded>()];

    public int StatusReads => Volatile.Read(ref _statusReads);

    public long Written => _entries.Count;

    public async ValueTask AppendAsync(DeliveryLogEntry entry, CancellationToken cancellationToken)
    {
        await store.WriteBatchAsync([entry], cancellationToken);
        _entries.Enqueue(entry);
    }

    public Task<string?> GetStatusAsync(string deliveryId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _statusReads);
        return store.GetStatusAsync(deliveryId, cancellationToken);
    }

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
}
