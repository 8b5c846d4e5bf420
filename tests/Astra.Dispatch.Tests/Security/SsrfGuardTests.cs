using System.Net;
using System.Net.Sockets;
using Astra.Dispatch.Security;

namespace Astra.Dispatch.Tests.Security;

public sealed class SsrfGuardTests
{
    [Fact]
    public async Task ConnectAsync_AllowedLoopback_Connects()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var guard = new SsrfGuard(new NetworkPolicy(["127.0.0.0/8"]), new DnsHostResolver());
        using var handler = new SocketsHttpHandler { ConnectCallback = guard.ConnectAsync };
        using var client = new HttpClient(handler);
        var accept = listener.AcceptTcpClientAsync();
        var send = client.GetAsync(new Uri($"http://127.0.0.1:{port}/"));
        using var accepted = await accept.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(accepted.Connected);
    }

    [Fact]
    public async Task ConnectAsync_LoopbackNotAllowed_RefusedPermanently()
    {
        var guard = new SsrfGuard(new NetworkPolicy([]), new DnsHostResolver());
        using var handler = new SocketsHttpHandler { ConnectCallback = guard.ConnectAsync };
        using var client = new HttpClient(handler);
        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri("http://127.0.0.1:9/")));
        Assert.IsType<SsrfRefusedException>(ex.InnerException);
    }
}
