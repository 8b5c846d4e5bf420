using System.Net;
using System.Net.Sockets;

namespace Astra.Dispatch.Security;

/// <summary>
/// The <see cref="SocketsHttpHandler.ConnectCallback"/> that enforces <see cref="NetworkPolicy"/> after DNS
/// resolution, on every new connection, so a name that resolves (or later re-resolves) to an internal
/// address is refused however the URL spelled it.
/// </summary>
internal sealed class SsrfGuard(NetworkPolicy policy, IHostResolver resolver)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        var addresses = IPAddress.TryParse(endpoint.Host.Trim('[', ']'), out var literal)
            ? [literal]
            : await resolver.ResolveAsync(endpoint.Host, cancellationToken);
        if (addresses.Length == 0)
            throw new SocketException((int)SocketError.HostNotFound);
        // If any answer is internal, refuse the name: connecting to "the public one" invites DNS games.
        foreach (var address in addresses)
        {
            if (policy.Refusal(address) is { } reason)
                throw new SsrfRefusedException($"connection to {endpoint.Host} refused by the SSRF guard: {reason}");
        }

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
