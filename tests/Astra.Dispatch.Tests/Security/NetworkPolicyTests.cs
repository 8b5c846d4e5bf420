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
