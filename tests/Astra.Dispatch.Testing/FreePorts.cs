using System.Net;
using System.Net.Sockets;

namespace Astra.Dispatch.Testing;

internal static class FreePorts
{
    // Below the Linux ephemeral range (32768+) so a stopped node's port is unlikely to be taken
    // by an outgoing connection before it restarts on the same port.
    private const int First = 20000;
    private const int Last = 32000;

    private static readonly HashSet<int> Handed = [];
    private static readonly Lock Sync = new();

    public static int Next()
    {
        lock (Sync)
        {
            for (var attempt = 0; attempt < 500; attempt++)
            {
                var port = Random.Shared.Next(First, Last);
                if (!Handed.Contains(port) && IsFree(port))
                {
                    Handed.Add(port);
                    return port;
                }
            }
        }

        throw new InvalidOperationException($"No free TCP port found in {First}-{Last}.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            // Any (not loopback) so a port bound on another interface also counts as taken.
            var listener = new TcpListener(IPAddress.Any, port) { ExclusiveAddressUse = true };
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
