using System.Net;
using System.Net.Sockets;

namespace Astra.Dispatch.Security;

/// <summary>
/// The <see cref="SocketsHttpHandler.ConnectCallback"/> that enforces a <see cref="NetworkPolicy"/> on every new
/// connection: the port first (before DNS, so a refusal says nothing about the host), then every address the name
/// resolves to, so a name that resolves (or later re-resolves) to an internal address is refused however the URL spelled
/// it. Each policy has a handler (a connection pool) of its own, as a pooled connection skips this check: a connection
/// opened for a tenant allowed to reach 10.0.0.5 must never carry another tenant's request. Requests say whose they are
/// (<see cref="TenantOption"/>), and one that reached another policy's pool is refused.
/// The guard tells <see cref="DestinationReach"/> what each name resolved to, so errors about hosts that are not public
/// can be worded without telling why.
/// </summary>
internal sealed class SsrfGuard(NetworkPolicies policies, IHostResolver resolver, DestinationReach reach)
{
    /// <summary>The request option that names the tenant a request is sent for.</summary>
    public static readonly HttpRequestOptionsKey<string> TenantOption = new("astra.tenant");

    /// <summary>The connect callback of <paramref name="policy"/>'s handler.</summary>
    public Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> CallbackFor(NetworkPolicy policy) =>
        (context, cancellationToken) => ConnectAsync(policy, context, cancellationToken);

    public async ValueTask<Stream> ConnectAsync(NetworkPolicy policy, SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        if (context.InitialRequestMessage.Options.TryGetValue(TenantOption, out var tenant) && !ReferenceEquals(policies.For(tenant), policy))
            throw new SsrfRefusedException(SsrfRefusal.WrongPool, $"connection to {endpoint.Host}:{endpoint.Port} refused: tenant {tenant}'s request reached another network policy's connection pool");
        if (policy.PortRefusal(endpoint.Port) is { } port)
            throw new SsrfRefusedException(SsrfRefusal.Port, $"connection to {endpoint.Host}:{endpoint.Port} refused: {port}");

        var host = endpoint.Host.Trim('[', ']');
        IPAddress[] addresses;
        if (IPAddress.TryParse(host, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            reach.Resolving(host);
            addresses = await resolver.ResolveAsync(endpoint.Host, cancellationToken);
        }
        if (addresses.Length == 0)
            throw new SocketException((int)SocketError.HostNotFound);
        // If any answer is internal, refuse the name: connecting to "the public one" invites DNS games.
        foreach (var address in addresses)
        {
            if (policy.Refusal(address) is { } reason)
                throw new SsrfRefusedException(SsrfRefusal.Address, $"connection to {endpoint.Host} refused by the SSRF guard: {reason}");
        }
        if (literal is null)
            reach.Resolved(host, addresses);

        Exception? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }
}

/// <summary>DNS seam: tests substitute names that resolve to chosen addresses.</summary>
internal interface IHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

internal sealed class DnsHostResolver : IHostResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        Dns.GetHostAddressesAsync(host, cancellationToken);
}
