using System.Collections.Concurrent;

namespace Astra.Dispatch.Dispatching;

/// <summary>
/// The delivery ids this process has recorded as succeeded (the most recent <see cref="Capacity"/>), so the send
/// consumer answers "already delivered?" from memory. The delivery log stays the authority: the consumer still asks
/// it for a command that may have been handled before (a broker or tier redelivery, or a delivery the event consumer
/// found in the log already).
/// </summary>
internal sealed class SucceededDeliveries
{
    public const int Capacity = 100_000;

    private readonly ConcurrentDictionary<string, byte> _ids = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();

    // Counted here: ConcurrentDictionary.Count takes every bucket lock, which showed in profiles at this call rate.
    private int _count;

    public bool Contains(string deliveryId) => _ids.ContainsKey(deliveryId);

    public void Add(string deliveryId)
    {
        if (!_ids.TryAdd(deliveryId, 0))
            return;
        _order.Enqueue(deliveryId);
        if (Interlocked.Increment(ref _count) <= Capacity)
            return;
        while (Volatile.Read(ref _count) > Capacity && _order.TryDequeue(out var oldest))
        {
            if (_ids.TryRemove(oldest, out _))
                Interlocked.Decrement(ref _count);
        }
    }
}
