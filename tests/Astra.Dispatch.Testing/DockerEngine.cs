using System.Net.Sockets;
using System.Text;

namespace Astra.Dispatch.Testing;

internal static class DockerEngine
{
    /// <summary>True when a Docker engine answers: a ping on the unix socket, else <c>docker info</c> (covers tcp hosts and contexts).</summary>
    public static async Task<bool> IsAvailableAsync(CancellationToken cancellationToken)
    {
        var dockerHost = Environment.GetEnvironmentVariable("DOCKER_HOST");
        var socket = dockerHost switch
        {
            null or "" => "/var/run/docker.sock",
            _ when dockerHost.StartsWith("unix://", StringComparison.Ordinal) => dockerHost["unix://".Length..],
            _ => null,
        };
        if (socket is not null && File.Exists(socket) && await PingAsync(socket, cancellationToken))
        {
            return true;
        }

        try
        {
            var info = await ProcessRunner.RunAsync("docker", ["info", "--format", "{{.ServerVersion}}"], null, TimeSpan.FromSeconds(15), cancellationToken);
            return info.Succeeded;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // no docker CLI
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static async Task<bool> PingAsync(string socketPath, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), timeout.Token);
            await socket.SendAsync("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[512];
            var read = await socket.ReceiveAsync(buffer, timeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("HTTP/1.", StringComparison.Ordinal)
                && Encoding.ASCII.GetString(buffer, 0, read).Contains(" 200 ", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or IOException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return false;
        }
    }
}
