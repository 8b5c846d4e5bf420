using System.Net;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Security;

/// <summary>
/// Which addresses outbound actions may connect to: everything public, nothing internal (loopback, private,
/// CGNAT, link-local and cloud metadata, unique-local, multicast, unspecified, reserved), except networks the
/// operator allows in <c>Dispatch:Http:AllowedNetworks</c>.
/// </summary>
internal sealed class NetworkPolicy
{
    private static readonly (IpNetwork Network, string Name)[] Blocked =
    [
        (IpNetwork.Parse("0.0.0.0/8"), "unspecified (0.0.0.0/8)"),
        (IpNetwork.Parse("10.0.0.0/8"), "private (10.0.0.0/8)"),
        (IpNetwork.Parse("100.64.0.0/10"), "carrier-grade NAT (100.64.0.0/10)"),
        (IpNetwork.Parse("127.0.0.0/8"), "loopback (127.0.0.0/8)"),
        (IpNetwork.Parse("169.254.0.0/16"), "link-local / cloud metadata (169.254.0.0/16)"),
        (IpNetwork.Parse("172.16.0.0/12"), "private (172.16.0.0/12)"),
        (IpNetwork.Parse("192.0.0.0/24"), "IETF protocol assignments (192.0.0.0/24)"),
        (IpNetwork.Parse("192.0.2.0/24"), "documentation (192.0.2.0/24)"),
        (IpNetwork.Parse("192.168.0.0/16"), "private (192.168.0.0/16)"),
        (IpNetwork.Parse("198.18.0.0/15"), "benchmarking (198.18.0.0/15)"),
        (IpNetwork.Parse("198.51.100.0/24"), "documentation (198.51.100.0/24)"),
        (IpNetwork.Parse("203.0.113.0/24"), "documentation (203.0.113.0/24)"),
        (IpNetwork.Parse("224.0.0.0/4"), "multicast (224.0.0.0/4)"),
        (IpNetwork.Parse("240.0.0.0/4"), "reserved (240.0.0.0/4)"),
        (IpNetwork.Parse("::/128"), "unspecified (::)"),
        (IpNetwork.Parse("::1/128"), "loopback (::1)"),
        (IpNetwork.Parse("64:ff9b::/96"), "NAT64 (64:ff9b::/96)"),
        (IpNetwork.Parse("100::/64"), "discard (100::/64)"),
        (IpNetwork.Parse("2001:db8::/32"), "documentation (2001:db8::/32)"),
        (IpNetwork.Parse("fc00::/7"), "unique-local (fc00::/7, incl. fd00:ec2::254)"),
        (IpNetwork.Parse("fe80::/10"), "link-local (fe80::/10)"),
        (IpNetwork.Parse("fec0::/10"), "site-local (fec0::/10)"),
        (IpNetwork.Parse("ff00::/8"), "multicast (ff00::/8)"),
    ];

    private readonly IpNetwork[] _allowed;

    public NetworkPolicy(IOptions<NetworkOptions> options)
        : this(options.Value.AllowedNetworks)
    {
    }

    internal NetworkPolicy(IEnumerable<string> allowedNetworks) =>
        _allowed = [.. allowedNetworks.Where(s => !string.IsNullOrWhiteSpace(s)).Select(IpNetwork.Parse)];

    /// <summary>Null when the address may be used; otherwise why not.</summary>
    public string? Refusal(IPAddress address)
    {
        // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible forms are judged as the IPv4 address they carry.
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && address.ScopeId != 0)
            address = new IPAddress(address.GetAddressBytes());
        foreach (var network in _allowed)
        {
            if (network.Contains(address))
                return null;
        }
        foreach (var (network, name) in Blocked)
        {
            if (network.Contains(address))
                return $"{address} is {name}, which is blocked (allow it with Dispatch:Http:AllowedNetworks)";
        }
        return null;
    }
}
