using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Delivery;

/// <summary>
/// Caps one tenant's in-flight requests in this worker (<see cref="HttpDeliveryOptions.MaxConcurrencyPerTenant"/>).
/// Never waits: a tenant at its cap has its delivery deferred, so its backlog cannot take the send slots of others.
/// </summary>
internal sealed class TenantLimiter(IOptions<HttpDeliveryOptions> options)
{
    private readonly ConcurrentDictionary<string, Counter> _inFlight = new(StringComparer.Ordinal);

    /// <summary>Tenants with requests in flight (idle tenants leave the map: tenant ids come from publishers).</summary>
    public int Count => _inFlight.Count;

    /// <summary>A slot for the tenant, or null when it already has its maximum in flight.</summary>
    public Lease? TryEnter(string tenantId)
    {
        while (true)
        {
            var counter = _inFlight.GetOrAdd(tenantId, _ => new Counter());
            lock (counter)
            {
                // Removed between the lookup and the lock: take the tenant's new counter instead.
                if (counter.Removed)
                    continue;
                if (counter.Value >= options.Value.MaxConcurrencyPerTenant)
                    return null;
                counter.Value++;
                return new Lease(this, tenantId, counter);
            }
        }
    }

    private void Exit(string tenantId, Counter counter)
    {
        lock (counter)
        {
            if (--counter.Value > 0)
                return;
            counter.Removed = true;
            _inFlight.TryRemove(new KeyValuePair<string, Counter>(tenantId, counter));
        }
    }

    internal sealed class Counter
    {
        public int Value;
        public bool Removed;
    }

    /// <summary>A held slot; disposing it frees the slot (once).</summary>
    internal sealed class Lease(TenantLimiter owner, string tenantId, Counter counter) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
                owner.Exit(tenantId, counter);
        }
    }
}
