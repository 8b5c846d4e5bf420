using System.Net;
using Astra.Dispatch.Security;

namespace Astra.Dispatch.Tests.Security;

public sealed class NetworkPolicyTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.255.254")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.255")]
    [InlineData("169.254.169.254")]
    [InlineData("169.254.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.250")]
    [InlineData("255.255.255.255")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fd00:ec2::254")]
    [InlineData("fc00::1")]
    [InlineData("fe80::1")]
    [InlineData("fe80::1%2")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::ffff:7f00:1")]
    [InlineData("64:ff9b::7f00:1")]
    public void Refusal_InternalAddress_Refused(string address) =>
        Assert.NotNull(new NetworkPolicy([]).Refusal(IPAddress.Parse(address)));

    /// <summary>
    /// The IPv6 forms that carry an IPv4 address (IPv4-compatible, local-use NAT64, 6to4, Teredo) and the 6to4 relay
    /// anycast range: on main these were all allowed, so <c>[::127.0.0.1]</c> or <c>[2002:7f00:1::]</c> could reach an
    /// internal host through a translating router or the OS.
    /// </summary>
    [Theory]
    [InlineData("::127.0.0.1", "IPv4-compatible")]
    [InlineData("::10.0.0.1", "IPv4-compatible")]
    [InlineData("::8.8.8.8", "IPv4-compatible")]
    [InlineData("64:ff9b:1::a00:1", "local-use NAT64")]
    [InlineData("2002:7f00:1::1", "6to4")]
    [InlineData("2002:a9fe:a9fe::", "6to4")]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo")]
    [InlineData("192.88.99.1", "6to4 relay")]
    [InlineData("::ffff:0:7f00:1", "IPv4-translated")]
    public void Refusal_AddressEmbeddingIPv4OrRelay_Refused(string address, string range)
    {
        var reason = new NetworkPolicy([]).Refusal(IPAddress.Parse(address));
        Assert.NotNull(reason);
        Assert.Contains(range, reason, StringComparison.Ordinal);
        Assert.True(NetworkPolicy.IsInternal(IPAddress.Parse(address)));
    }

    /// <summary>On main any port was allowed (the k8s manifest's 10.0.0.0/8 opened every port of the cluster network).</summary>
    [Theory]
    [InlineData(443, false, true)]
    [InlineData(80, false, false)]
    [InlineData(80, true, true)]
    [InlineData(8443, true, false)]
    [InlineData(22, true, false)]
    [InlineData(6379, false, false)]
    public void PortRefusal_Default_443AndWithPlainHttp80(int port, bool allowPlainHttp, bool allowed) =>
        Assert.Equal(allowed, new NetworkPolicy([], null, allowPlainHttp).PortRefusal(port) is null);

    [Theory]
    [InlineData(8443, true)]
    [InlineData(9000, true)]
    [InlineData(9099, true)]
    [InlineData(9100, false)]
    [InlineData(443, true)]
    [InlineData(80, false)]
    public void PortRefusal_ConfiguredPortsAndRanges_AllowedBesides443(int port, bool allowed) =>
        Assert.Equal(allowed, new NetworkPolicy([], ["8443", "9000-9099"]).PortRefusal(port) is null);

    [Fact]
    public void PortRefusal_Reason_NamesPortTheAllowedOnesAndTheSettings()
    {
        var reason = new NetworkPolicy([], ["8443"]).PortRefusal(6379);
        Assert.Equal("port 6379 is not allowed (allowed: 443, 8443; more with Dispatch:Http:AllowedPorts, or for one tenant Dispatch:Http:Tenants:<tenant>:AllowedPorts)", reason);
    }

    [Theory]
    [InlineData(new[] { "none" }, true)]
    [InlineData(new[] { "10.0.0.0/8", "fd00::/8" }, true)]
    [InlineData(new[] { "10.0.0.0/8", "none" }, false)]
    [InlineData(new[] { "10.0.0.0/33" }, false)]
    [InlineData(new[] { "intranet" }, false)]
    public void AreNetworks_CidrsOrNoneAlone(string[] list, bool valid) => Assert.Equal(valid, NetworkPolicy.AreNetworks(list));

    [Theory]
    [InlineData(new[] { "8443", "8000-8999" }, true)]
    [InlineData(new[] { "none" }, true)]
    [InlineData(new[] { "0" }, false)]
    [InlineData(new[] { "65536" }, false)]
    [InlineData(new[] { "9000-8000" }, false)]
    [InlineData(new[] { "http" }, false)]
    public void ArePorts_PortsRangesOrNoneAlone(string[] list, bool valid) => Assert.Equal(valid, NetworkPolicy.ArePorts(list));

    [Theory]
    [InlineData("93.184.215.14")]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    public void Refusal_PublicAddress_Allowed(string address) =>
        Assert.Null(new NetworkPolicy([]).Refusal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("127.0.0.0/8", "127.0.0.1")]
    [InlineData("127.0.0.0/8", "::ffff:127.0.0.1")]
    [InlineData("10.20.0.0/16", "10.20.30.40")]
    [InlineData("fd00::/8", "fd00:ec2::254")]
    [InlineData("192.168.1.5/32", "192.168.1.5")]
    public void Refusal_InsideAllowedNetwork_Allowed(string cidr, string address) =>
        Assert.Null(new NetworkPolicy([cidr]).Refusal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("10.20.0.0/16", "10.21.0.1")]
    [InlineData("192.168.1.5/32", "192.168.1.6")]
    [InlineData("127.0.0.0/8", "::1")]
    public void Refusal_OutsideAllowedNetwork_StillRefused(string cidr, string address) =>
        Assert.NotNull(new NetworkPolicy([cidr]).Refusal(IPAddress.Parse(address)));

    [Fact]
    public void Refusal_Reason_NamesAddressAndRangeAndTheSetting()
    {
        var reason = new NetworkPolicy([]).Refusal(IPAddress.Parse("169.254.169.254"));
        Assert.Contains("169.254.169.254", reason, StringComparison.Ordinal);
        Assert.Contains("link-local", reason, StringComparison.Ordinal);
        Assert.Contains("Dispatch:Http:AllowedNetworks", reason, StringComparison.Ordinal);
    }
}
