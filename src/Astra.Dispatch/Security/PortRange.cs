using System.Globalization;

namespace Astra.Dispatch.Security;

/// <summary>A TCP port or an inclusive range of them: <c>8443</c>, <c>8000-8999</c>.</summary>
internal readonly record struct PortRange(int First, int Last)
{
    public static bool TryParse(string? text, out PortRange range)
    {
        range = default;
        var parts = text?.Trim().Split('-', 2);
        if (parts is null || !TryPort(parts[0], out var first))
            return false;
        var last = first;
        if (parts.Length == 2 && (!TryPort(parts[1], out last) || last < first))
            return false;
        range = new PortRange(first, last);
        return true;
    }

    public static PortRange Parse(string text) => TryParse(text, out var range)
        ? range
        : throw new FormatException($"'{text}' is not a port or a port range such as 8443 or 8000-8999");

    public bool Contains(int port) => port >= First && port <= Last;

    public override string ToString() => First == Last ? First.ToString(CultureInfo.InvariantCulture) : $"{First}-{Last}";

    private static bool TryPort(string text, out int port) =>
        int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and <= 65535;
}
