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
        var policy = new NetworkPolicy(["127.0.0.0/8"], ["1024-65535"]);
        var guard = new SsrfGuard(new NetworkPolicies(new NetworkOptions()), new DnsHostResolver(), new DestinationReach());
        using var handler = new SocketsHttpHandler { ConnectCallback = guard.CallbackFor(policy) };
        using var client = new HttpClient(handler);
        var accept = listener.AcceptTcpClientAsync();
        var send = client.GetAsync(new Uri($"http://127.0.0.1:{port}/"));
        using var accepted = await accept.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(accepted.Connected);
    }

    [Fact]
    public async Task ConnectAsync_LoopbackNotAllowed_RefusedForItsAddress()
    {
        var guard = new SsrfGuard(new NetworkPolicies(new NetworkOptions()), new DnsHostResolver(), new DestinationReach());
        using var handler = new SocketsHttpHandler { ConnectCallback = guard.CallbackFor(new NetworkPolicy([], ["9"])) };
        using var client = new HttpClient(handler);
        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri("http://127.0.0.1:9/")));
        Assert.Equal(SsrfRefusal.Address, Assert.IsType<SsrfRefusedException>(ex.InnerException).Refusal);
    }

    /// <summary>
    /// On main any port was reachable: a rule (or a forged command) could talk to Redis, SSH or an admin port of an
    /// allowed network. The port is checked first, before DNS, so the refusal says nothing about the host.
    /// </summary>
    [Fact]
    public async Task ConnectAsync_PortNotAllowed_RefusedBeforeResolving()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var resolver = new CountingResolver();
        var guard = new SsrfGuard(new NetworkPolicies(new NetworkOptions()), resolver, new DestinationReach());
        using var handler = new SocketsHttpHandler { ConnectCallback = guard.CallbackFor(new NetworkPolicy(["127.0.0.0/8"], allowPlainHttp: true)) };
        using var client = new HttpClient(handler);

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri($"http://inhouse.example.com:{port}/")));

        var refused = Assert.IsType<SsrfRefusedException>(ex.InnerException);
        Assert.Equal(SsrfRefusal.Port, refused.Refusal);
        Assert.Contains($"port {port} is not allowed", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, resolver.Calls);
    }

    /// <summary>A request that names its tenant must reach that tenant's policy's pool, never a pool another policy opened.</summary>
    [Fact]
    public async Task ConnectAsync_RequestOfATenantWithAnotherPolicy_Refused()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var policies = new NetworkPolicies(new NetworkOptions
        {
            AllowedPorts = ["1024-65535"],
            Tenants = new() { ["acme"] = new TenantNetworkOptions { AllowedNetworks = ["127.0.0.0/8"] } },
        });
        var guard = new SsrfGuard(policies, new DnsHostResolver(), new DestinationReach());
        using var handler = new SocketsHttpHandler { ConnectCallback = guard.CallbackFor(policies.For("acme")) };
        using var client = new HttpClient(handler);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{port}/"));
        request.Options.Set(SsrfGuard.TenantOption, "globex");

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(request));

        Assert.Equal(SsrfRefusal.WrongPool, Assert.IsType<SsrfRefusedException>(ex.InnerException).Refusal);
    }

    private sealed class CountingResolver : IHostResolver
    {
        public int Calls;

        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            return Task.FromResult(new[] { IPAddress.Loopback });
        }
    }
}
