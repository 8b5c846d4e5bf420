using System.Net;
using System.Net.Sockets;

namespace Astra.Dispatch.Security;

/// <summary>
/// Which addresses and ports outbound actions of one or more tenants may connect to: every public address, nothing
/// internal (loopback, private, CGNAT, link-local and cloud metadata, unique-local, multicast, unspecified, reserved, and
/// the IPv6 forms that embed an IPv4 address), except the networks granted; ports 443, 80 where plain HTTP is allowed,
/// and the ports granted. Built by <see cref="NetworkPolicies"/> from <c>Dispatch:Http</c>.
/// </summary>
internal sealed class NetworkPolicy
{
    /// <summary>The word that, as a list's only entry, grants no network (or no extra port).</summary>
    public const string None = "none";

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
        (IpNetwork.Parse("192.88.99.0/24"), "6to4 relay anycast (192.88.99.0/24)"),
        (IpNetwork.Parse("192.168.0.0/16"), "private (192.168.0.0/16)"),
        (IpNetwork.Parse("198.18.0.0/15"), "benchmarking (198.18.0.0/15)"),
        (IpNetwork.Parse("198.51.100.0/24"), "documentation (198.51.100.0/24)"),
        (IpNetwork.Parse("203.0.113.0/24"), "documentation (203.0.113.0/24)"),
        (IpNetwork.Parse("224.0.0.0/4"), "multicast (224.0.0.0/4)"),
        (IpNetwork.Parse("240.0.0.0/4"), "reserved (240.0.0.0/4)"),
        (IpNetwork.Parse("::/128"), "unspecified (::)"),
        (IpNetwork.Parse("::1/128"), "loopback (::1)"),
        // The IPv6 forms that carry an IPv4 address a router or the OS may translate (to an internal one).
        (IpNetwork.Parse("::/96"), "IPv4-compatible (::/96)"),
        (IpNetwork.Parse("::ffff:0:0:0/96"), "IPv4-translated (::ffff:0:0:0/96)"),
        (IpNetwork.Parse("64:ff9b::/96"), "NAT64 (64:ff9b::/96)"),
        (IpNetwork.Parse("64:ff9b:1::/48"), "local-use NAT64 (64:ff9b:1::/48)"),
        (IpNetwork.Parse("100::/64"), "discard (100::/64)"),
        (IpNetwork.Parse("2001::/32"), "Teredo (2001::/32)"),
        (IpNetwork.Parse("2001:db8::/32"), "documentation (2001:db8::/32)"),
        (IpNetwork.Parse("2002::/16"), "6to4 (2002::/16)"),
        (IpNetwork.Parse("fc00::/7"), "unique-local (fc00::/7, incl. fd00:ec2::254)"),
        (IpNetwork.Parse("fe80::/10"), "link-local (fe80::/10)"),
        (IpNetwork.Parse("fec0::/10"), "site-local (fec0::/10)"),
        (IpNetwork.Parse("ff00::/8"), "multicast (ff00::/8)"),
    ];

    private readonly IpNetwork[] _allowed;
    private readonly PortRange[] _ports;

    /// <param name="allowedNetworks">CIDRs exempt from the guard (<see cref="None"/> alone: none).</param>
    /// <param name="allowedPorts">Ports or ranges allowed besides 443 (and 80 with <paramref name="allowPlainHttp"/>).</param>
    /// <param name="allowPlainHttp">Whether port 80 is allowed.</param>
    internal NetworkPolicy(IEnumerable<string> allowedNetworks, IEnumerable<string>? allowedPorts = null, bool allowPlainHttp = false)
    {
        _allowed = [.. Entries(allowedNetworks).Select(IpNetwork.Parse).DistinctBy(n => n.ToString()).OrderBy(n => n.ToString(), StringComparer.Ordinal)];
        PortRange[] fixedPorts = allowPlainHttp ? [new(80, 80), new(443, 443)] : [new(443, 443)];
        _ports = [.. fixedPorts.Concat(Entries(allowedPorts ?? []).Select(PortRange.Parse)).Distinct().OrderBy(p => p.First).ThenBy(p => p.Last)];
        Key = $"{string.Join(',', _allowed)}|{string.Join(',', _ports)}";
    }

    /// <summary>What the policy allows, in one canonical string: tenants with equal keys share one connection pool.</summary>
    public string Key { get; }

    /// <summary>
    /// A short name for what is kept per policy besides its pool (a destination's circuit): empty for the default policy,
    /// so tenants without lists of their own share one circuit per destination as before.
    /// </summary>
    public string Scope { get; internal init; } = "";

    /// <summary>The ports allowed, for messages.</summary>
    public string Ports => string.Join(", ", _ports);

    /// <summary>Null when the address may be used; otherwise why not.</summary>
    public string? Refusal(IPAddress address)
    {
        address = Canonical(address);
        foreach (var network in _allowed)
        {
            if (network.Contains(address))
                return null;
        }
        return BlockedRange(address) is { } name
            ? $"{address} is {name}, which is blocked (allow it with Dispatch:Http:AllowedNetworks, or for one tenant Dispatch:Http:Tenants:<tenant>:AllowedNetworks)"
            : null;
    }

    /// <summary>Null when the port may be used; otherwise why not.</summary>
    public string? PortRefusal(int port)
    {
        foreach (var range in _ports)
        {
            if (range.Contains(port))
                return null;
        }
        return $"port {port} is not allowed (allowed: {Ports}; more with Dispatch:Http:AllowedPorts, or for one tenant Dispatch:Http:Tenants:<tenant>:AllowedPorts)";
    }

    /// <summary>Whether the address is in an internal range, whether or not some policy allows it.</summary>
    public static bool IsInternal(IPAddress address) => BlockedRange(Canonical(address)) is not null;

    /// <summary>Whether the list is valid: CIDRs, or <see cref="None"/> alone.</summary>
    public static bool AreNetworks(IEnumerable<string>? list) => IsList(list, s => IpNetwork.TryParse(s, out _));

    /// <summary>Whether the list is valid: ports and ranges, or <see cref="None"/> alone.</summary>
    public static bool ArePorts(IEnumerable<string>? list) => IsList(list, s => PortRange.TryParse(s, out _));

    private static bool IsList(IEnumerable<string>? list, Func<string, bool> valid)
    {
        var entries = (list ?? []).Where(s => !string.IsNullOrWhiteSpace(s)).ToList();
        return entries is [var only] && IsNone(only) || entries.All(valid);
    }

    private static IEnumerable<string> Entries(IEnumerable<string> list) =>
        list.Where(s => !string.IsNullOrWhiteSpace(s) && !IsNone(s));

    private static bool IsNone(string entry) => string.Equals(entry.Trim(), None, StringComparison.OrdinalIgnoreCase);

    /// <summary>IPv4-mapped addresses (::ffff:a.b.c.d) are judged as the IPv4 address they carry; a scope id is dropped.</summary>
    private static IPAddress Canonical(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            return address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
            return new IPAddress(address.GetAddressBytes());
        return address;
    }

    private static string? BlockedRange(IPAddress address)
    {
        foreach (var (network, name) in Blocked)
        {
            if (network.Contains(address))
                return name;
        }
        return null;
    }
}
