namespace Astra.Dispatch.Rules;

/// <summary>
/// The scheme, host and port of a rule's URL are literal text in the rule (the Tenants contract): a template may fill
/// the path and query only. Pinned at compile time from the text before the first tag, checked again on every
/// rendered URL, and exposed as the compiled rule's origin for the send side.
/// </summary>
internal static class UrlOrigin
{
    /// <summary>The origin of <paramref name="url"/>'s literal prefix, or null with the reason.</summary>
    public static Uri? Pin(string url, out string? error)
    {
        var tag = FirstTag(url);
        var literal = tag < 0 ? url : url[..tag];
        error = null;
        var schemeEnd = literal.IndexOf("://", StringComparison.Ordinal);
        var scheme = schemeEnd > 0 ? literal[..schemeEnd].ToLowerInvariant() : "";
        if (scheme is not ("https" or "http"))
        {
            error = "must start with https:// (or http:// where plain HTTP is allowed); the scheme cannot come from a template";
            return null;
        }
        var rest = literal[(schemeEnd + 3)..];
        var end = rest.IndexOfAny(['/', '?', '#']);
        if (end < 0 && tag >= 0)
        {
            error = "must spell out the host (and port) and end them with '/', '?' or '#' before the first {{ or {% tag; "
                + "a template may fill the path and query only, never the host or port";
            return null;
        }
        var authority = end < 0 ? rest : rest[..end];
        if (authority.Contains('@', StringComparison.Ordinal))
            error = "must not hold credentials (user@host); use auth with a secret";
        else if (!IsAuthority(authority))
            error = $"has no valid host and port after {scheme}:// (letters, digits, '.', '-' or an [IPv6] address, then an optional :port)";
        else if (!Uri.TryCreate($"{scheme}://{authority}/", UriKind.Absolute, out var origin) || string.IsNullOrEmpty(origin.Host))
            error = $"has no valid host after {scheme}://";
        else
            return origin;
        return null;
    }

    public static bool IsSame(Uri url, Uri origin) =>
        string.Equals(url.Scheme, origin.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(url.IdnHost, origin.IdnHost, StringComparison.OrdinalIgnoreCase)
        && url.Port == origin.Port;

    private static int FirstTag(string url)
    {
        var output = url.IndexOf("{{", StringComparison.Ordinal);
        var tag = url.IndexOf("{%", StringComparison.Ordinal);
        return output < 0 ? tag : tag < 0 ? output : Math.Min(output, tag);
    }

    private static bool IsAuthority(string authority)
    {
        var host = authority;
        var port = "";
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
                return false;
            host = authority[1..close];
            port = authority[(close + 1)..];
            if (host.Length == 0 || !host.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.'))
                return false;
        }
        else
        {
            var colon = authority.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0)
                (host, port) = (authority[..colon], authority[colon..]);
            if (host.Length == 0 || !host.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-'))
                return false;
        }
        return port.Length == 0 || port.Length is > 1 and <= 6 && port[0] == ':' && port[1..].All(char.IsAsciiDigit) && int.Parse(port[1..], System.Globalization.CultureInfo.InvariantCulture) is > 0 and <= 65535;
    }
}
