using System.Collections.Concurrent;
using Astra.Dispatch.Security;

namespace Astra.Dispatch.Delivery;

/// <summary>
/// The outbound HTTP clients of actions and OAuth2 token requests: one per network policy, so a connection opened
/// under one tenant's policy never serves a tenant with another (a pooled connection is not checked again). Tenants
/// without lists of their own share the default policy's client. The number of clients is bounded by the configured
/// policies.
/// </summary>
internal sealed class GuardedHttpClients(Func<NetworkPolicy, HttpMessageHandler> handlerFor, NetworkPolicies policies) : IDisposable
{
    private readonly ConcurrentDictionary<NetworkPolicy, Lazy<HttpClient>> _clients = new(ReferenceEqualityComparer.Instance);

    public GuardedHttpClients(GuardedHttpHandlers handlers, NetworkPolicies policies)
        : this(policy => handlers.Create(policy), policies)
    {
    }

    /// <summary>The client of <paramref name="tenantId"/>'s network policy.</summary>
    public HttpClient For(string tenantId) => For(policies.For(tenantId));

    /// <summary>The client of <paramref name="policy"/>.</summary>
    public HttpClient For(NetworkPolicy policy) =>
        _clients.GetOrAdd(policy, p => new Lazy<HttpClient>(() => new HttpClient(handlerFor(p)) { Timeout = Timeout.InfiniteTimeSpan })).Value;

    public void Dispose()
    {
        foreach (var client in _clients.Values.Where(c => c.IsValueCreated))
            client.Value.Dispose();
    }
}
