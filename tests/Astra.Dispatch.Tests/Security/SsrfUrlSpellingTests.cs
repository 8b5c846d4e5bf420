using System.Net;
using Astra.Dispatch.Security;

namespace Astra.Dispatch.Tests.Security;

/// <summary>
/// URL spellings of internal addresses, sent through a real <see cref="SocketsHttpHandler"/> with the guard as its
/// ConnectCallback: whatever System.Uri makes of them, the guard must see and refuse the real address.
/// </summary>
public sealed class SsrfUrlSpellingTests
{
    [Theory]
    [InlineData("http://2130706433/", "127.0.0.1")]
    [InlineData("http://0x7f.1/", "127.0.0.1")]
    [InlineData("http://0x7f000001/", "127.0.0.1")]
    [InlineData("http://017700000001/", "127.0.0.1")]
    [InlineData("http://0177.0.0.1/", "127.0.0.1")]
    [InlineData("http://127.1/", "127.0.0.1")]
    [InlineData("http://[::ffff:127.0.0.1]/", "127.0.0.1")]
    [InlineData("http://[::1]/", "::1")]
    [InlineData("http://[fd00:ec2::254]/", "fd00:ec2::254")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "169.254.169.254")]
    [InlineData("http://0/", "0.0.0.0")]
    [InlineData("http://3232235777/", "192.168.1.1")]
    public async Task Send_InternalAddressSpelling_RefusedByGuardWithRealAddress(string url, string realAddress)
    {
        var resolver = new FakeResolver();
        var ex = await SendAsync(url, resolver, []);
        var refused = Assert.IsType<SsrfRefusedException>(ex.InnerException);
        Assert.Contains("SSRF guard", refused.Message, StringComparison.Ordinal);
        Assert.Contains(realAddress, refused.Message, StringComparison.Ordinal);
        Assert.Empty(resolver.Asked);
    }

    [Fact]
    public void Uri_DecimalAndHexSpellings_AreCanonicalisedToDottedQuad()
    {
        // The guard does not rely on this, but it documents what the handler passes to the ConnectCallback.
        Assert.Equal("127.0.0.1", new Uri("http://2130706433/").Host);
        Assert.Equal("127.0.0.1", new Uri("http://0x7f.1/").Host);
        Assert.Equal("127.0.0.1", new Uri("http://0177.0.0.1/").Host);
    }

    [Fact]
    public async Task Send_DnsNameResolvingToLoopback_Refused()
    {
        var resolver = new FakeResolver { ["crm.example.com"] = [IPAddress.Loopback] };
        var ex = await SendAsync("http://crm.example.com/leads", resolver, []);
        var refused = Assert.IsType<SsrfRefusedException>(ex.InnerException);
        Assert.Contains("crm.example.com", refused.Message, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_DnsNameWithOnePublicAndOneInternalAnswer_Refused()
    {
        var resolver = new FakeResolver { ["mixed.example.com"] = [IPAddress.Parse("93.184.215.14"), IPAddress.Parse("10.0.0.5")] };
        var ex = await SendAsync("http://mixed.example.com/", resolver, []);
        Assert.Contains("10.0.0.5", Assert.IsType<SsrfRefusedException>(ex.InnerException).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_DnsNameToAllowlistedNetwork_Connects()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var resolver = new FakeResolver { ["inhouse.example.com"] = [IPAddress.Loopback] };
        var guard = new SsrfGuard(new NetworkPolicies(new NetworkOptions()), resolver, new DestinationReach());
        using var handler = new SocketsHttpHandler { ConnectCallback = guard.CallbackFor(new NetworkPolicy(["127.0.0.0/8"], ["1024-65535"])), UseProxy = false };
        using var client = new HttpClient(handler);
        var accept = listener.AcceptTcpClientAsync();
        _ = client.GetAsync(new Uri($"http://inhouse.example.com:{port}/"));
        using var accepted = await accept.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(accepted.Connected);
        Assert.Equal(["inhouse.example.com"], resolver.Asked);
    }

    private static async Task<HttpRequestException> SendAsync(string url, FakeResolver resolver, string[] allowed)
    {
        var guard = new SsrfGuard(new NetworkPolicies(new NetworkOptions()), resolver, new DestinationReach());
        using var handler = new SocketsHttpHandler { ConnectCallback = guard.CallbackFor(new NetworkPolicy(allowed, allowPlainHttp: true)), UseProxy = false, AllowAutoRedirect = false };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        return await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri(url)));
    }

    private sealed class FakeResolver : Dictionary<string, IPAddress[]>, IHostResolver
    {
        public List<string> Asked { get; } = [];

        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
        {
            Asked.Add(host);
            // Unknown names resolve to nothing (host not found); a literal that reaches here would show up in Asked.
            return Task.FromResult(TryGetValue(host, out var addresses) ? addresses : []);
        }
    }
}
