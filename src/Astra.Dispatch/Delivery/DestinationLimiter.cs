using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Delivery;

/// <summary>
/// Caps in-flight requests per destination (host and port). A saturated destination is not waited on:
/// the caller defers the delivery, so a hanging endpoint cannot hold every consumer slot.
/// </summary>
public sealed class DestinationLimiter(IOptions<HttpDeliveryOptions> options)
{
    private readonly ConcurrentDictionary<string, StrongBox<int>> _inFlight = new(StringComparer.OrdinalIgnoreCase);

    public bool TryEnter(Uri destination, out Lease lease)
    {
        var counter = _inFlight.GetOrAdd(destination.Authority, _ => new StrongBox<int>());
        if (Interlocked.Increment(ref counter.Value) > options.Value.MaxConcurrencyPerDestination)
        {
            Interlocked.Decrement(ref counter.Value);
            lease = default;
            return false;
        }
        lease = new Lease(counter);
        return true;
    }

    public readonly struct Lease(StrongBox<int> counter) : IDisposable
    {
        public void Dispose()
        {
            if (counter is not null)
                Interlocked.Decrement(ref counter.Value);
        }
    }
}
