using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Delivery;

/// <summary>
/// Caps in-flight requests per destination (host and port). A caller waits briefly for a slot (a fast destination
/// frees one within milliseconds); a destination still saturated after <see cref="HttpDeliveryOptions.DestinationWait"/>
/// is not waited on any longer: the caller defers the delivery, so a hanging endpoint cannot hold every consumer slot.
/// </summary>
public sealed class DestinationLimiter(IOptions<HttpDeliveryOptions> options)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _slots = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A slot for <paramref name="destination"/>, or null when none freed up within the configured wait.</summary>
    public async ValueTask<Lease?> EnterAsync(Uri destination, CancellationToken cancellationToken)
    {
        var slots = SlotsFor(destination);
        if (slots.Wait(0, CancellationToken.None) || await slots.WaitAsync(options.Value.DestinationWait, cancellationToken))
            return new Lease(slots);
        return null;
    }

    private SemaphoreSlim SlotsFor(Uri destination) =>
        _slots.GetOrAdd(destination.Authority, _ => new SemaphoreSlim(options.Value.MaxConcurrencyPerDestination));

    public readonly struct Lease(SemaphoreSlim slots) : IDisposable
    {
        public void Dispose() => slots?.Release();
    }
}
