using System.Net;
using System.Net.Sockets;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.IntegrationTests.Support;
using Astra.Dispatch.Testing;

namespace Astra.Dispatch.IntegrationTests.Delivery;

/// <summary>
/// Networks per tenant through the real sender and its guarded connection pools, and the errors a tenant reads about
/// destinations that are not public.
/// </summary>
public sealed class TenantNetworkTests
{
    /// <summary>
    /// On main one allowlist served every tenant, through one connection pool: a tenant reached the in-house API granted to
    /// another, and a connection opened for one tenant carried the other's requests without the guard seeing them.
    /// </summary>
    [Fact]
    public async Task SendAsync_NetworkGrantedToOneTenant_OtherTenantRefusedEvenWithTheConnectionPooled()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        await using var sender = DirectSender.Create(new Dictionary<string, string?>
        {
            // The default no longer holds the receiver; one tenant gets loopback as its own network.
            ["Dispatch:Http:AllowedNetworks:0"] = "192.0.2.1/32",
            ["Dispatch:Http:Tenants:t-inhouse:AllowedNetworks:0"] = "127.0.0.0/8",
        });
        var url = receiver.UrlFor("/leads");

        var granted = await sender.SendAsync(DirectSender.Rule(url, tenant: "t-inhouse"));
        var other = await sender.SendAsync(DirectSender.Rule(url, tenant: "t-other"));
        var again = await sender.SendAsync(DirectSender.Rule(url, tenant: "t-inhouse"));

        Assert.True(granted.Kind == OutcomeKind.Succeeded, granted.Error);
        Assert.True(again.Kind == OutcomeKind.Succeeded, again.Error);
        Assert.Equal((OutcomeKind.Transient, (int?)null), (other.Kind, other.StatusCode));
        Assert.Equal(HttpActionSender.Unreachable(url), other.Error);
        Assert.Equal(2, receiver.Requests.Count);
    }

    /// <summary>
    /// On main the three errors differed ("refused by the SSRF guard: 127.0.0.1 is loopback …", permanent; "connection
    /// failed: ConnectionRefused"; "timed out after 300ms"), so a tenant could map internal names and open ports.
    /// </summary>
    [Fact]
    public async Task SendAsync_InternalDestination_RefusedClosedOrSilent_SameErrorKindAndRetry_RealReasonInTheLog()
    {
        var logs = new CapturingLoggerProvider();
        await using var sender = DirectSender.Create(new Dictionary<string, string?>
        {
            ["Dispatch:Http:Tenants:t-blocked:AllowedNetworks:0"] = "none",
        }, logs);
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var silentUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/x");
        var closedUrl = new Uri($"http://127.0.0.1:{ClosedPort()}/x");

        var refused = await sender.SendAsync(DirectSender.Rule(silentUrl, tenant: "t-blocked", timeout: "300ms"));
        var closed = await sender.SendAsync(DirectSender.Rule(closedUrl, timeout: "300ms"));
        var timedOut = await sender.SendAsync(DirectSender.Rule(silentUrl, timeout: "300ms"));

        foreach (var outcome in new[] { refused, closed, timedOut })
            Assert.Equal((OutcomeKind.Transient, (int?)null), (outcome.Kind, outcome.StatusCode));
        Assert.Equal(HttpActionSender.Unreachable(silentUrl), refused.Error);
        Assert.Equal(HttpActionSender.Unreachable(silentUrl), timedOut.Error);
        Assert.Equal(refused.Error!.Replace(silentUrl.Port.ToString(), "PORT", StringComparison.Ordinal),
            closed.Error!.Replace(closedUrl.Port.ToString(), "PORT", StringComparison.Ordinal));
        Assert.Contains("refused by the SSRF guard: 127.0.0.1 is loopback", logs.Text, StringComparison.Ordinal);
        Assert.Contains("connection failed: ConnectionRefused", logs.Text, StringComparison.Ordinal);
        Assert.Contains("timed out after 300ms", logs.Text, StringComparison.Ordinal);
    }

    /// <summary>On main every port of an allowed network was reachable; now a port outside the tenant's list is refused at connect time too.</summary>
    [Fact]
    public async Task SendAsync_PortNotAllowedAtConnectTime_PermanentWithoutConnecting()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        await using var sender = DirectSender.Create(new Dictionary<string, string?>
        {
            ["Dispatch:Http:Tenants:t-narrow:AllowedPorts:0"] = "8443",
        });
        var rule = DirectSender.Rule(receiver.UrlFor("/leads"), tenant: "t-narrow");

        // The import would refuse this rule; a rule stored before the port list changed still cannot connect.
        var outcome = await sender.SendUncheckedAsync(rule);

        Assert.Equal(OutcomeKind.Permanent, outcome.Kind);
        Assert.Contains($"port {receiver.BaseUri.Port} is not allowed", outcome.Error, StringComparison.Ordinal);
        Assert.Empty(receiver.Requests);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
