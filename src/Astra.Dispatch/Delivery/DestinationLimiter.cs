using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Delivery;

/// <summary>
/// Caps in-flight requests per destination (host and port). A caller waits briefly for a slot (a fast destination
/// frees one within milliseconds); a destination still saturated after <see cref="HttpDeliveryOptions.DestinationWait"/>
/// is not waited on any longer: the caller defers the delivery, so a hanging endpoint cannot hold every consumer slot.
/// </summary>
internal sealed class DestinationLimiter(IOptions<HttpDeliveryOptions> options)
{
    /// <summary>Past this many destinations, idle ones are dropped (wildcard subdomains must not grow the map forever).</summary>
    internal const int MaxIdleDestinations = 10_000;

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _slots = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Destinations currently tracked.</summary>
    internal int Count => _slots.Count;

    /// <summary>A slot for <paramref name="destination"/>, or null when none freed up within the configured wait.</summary>
    public async ValueTask<Lease?> EnterAsync(Uri destination, CancellationToken cancellationToken)
    {
        var slots = SlotsFor(destination);
        if (slots.Wait(0, CancellationToken.None) || await slots.WaitAsync(options.Value.DestinationWait, cancellationToken))
            return new Lease(slots);
        return null;
    }

    private SemaphoreSlim SlotsFor(Uri destination)
    {
        if (_slots.TryGetValue(destination.Authority, out var slots))
            return slots;
        if (_slots.Count >= MaxIdleDestinations)
            DropIdle();
        return _slots.GetOrAdd(destination.Authority, _ => new SemaphoreSlim(options.Value.MaxConcurrencyPerDestination));
    }

    private void DropIdle()
    {
        var max = options.Value.MaxConcurrencyPerDestination;
        // An idle semaphore has every slot free; one taken between the check and the removal keeps working (its
        // holder releases into the removed instance), the destination merely gets a fresh one next time.
        foreach (var (name, slots) in _slots)
        {
            if (slots.CurrentCount == max)
                _slots.TryRemove(new KeyValuePair<string, SemaphoreSlim>(name, slots));
        }
    }

    /// <summary>A held slot; disposing it frees the slot.</summary>
    public readonly struct Lease(SemaphoreSlim slots) : IDisposable
    {
        public void Dispose() => slots?.Release();
    }
}
