using System.Net;
using System.Net.Sockets;

namespace Astra.Dispatch.Security;

/// <summary>A CIDR block such as <c>10.0.0.0/8</c> or <c>fc00::/7</c>.</summary>
internal sealed record IpNetwork(IPAddress Prefix, int Length)
{
    public static IpNetwork Parse(string cidr) => TryParse(cidr, out var network)
        ? network!
        : throw new FormatException($"'{cidr}' is not a CIDR block such as 10.0.0.0/8 or fd00::/8");

    public static bool TryParse(string? cidr, out IpNetwork? network)
    {
        network = null;
        var parts = cidr?.Trim().Split('/', 2);
        if (parts is null || !IPAddress.TryParse(parts[0], out var address))
            return false;
        var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var length = max;
        if (parts.Length == 2 && (!int.TryParse(parts[1], out length) || length < 0 || length > max))
            return false;
        network = new IpNetwork(address, length);
        return true;
    }

    public bool Contains(IPAddress address)
    {
        if (address.AddressFamily != Prefix.AddressFamily)
            return false;
        Span<byte> a = stackalloc byte[16];
        Span<byte> p = stackalloc byte[16];
        address.TryWriteBytes(a, out var count);
        Prefix.TryWriteBytes(p, out _);
        var bits = Length;
        for (var i = 0; i < count && bits > 0; i++, bits -= 8)
        {
            var mask = bits >= 8 ? 0xFF : (byte)(0xFF << (8 - bits));
            if ((a[i] & mask) != (p[i] & mask))
                return false;
        }
        return true;
    }

    public override string ToString() => $"{Prefix}/{Length}";
}
