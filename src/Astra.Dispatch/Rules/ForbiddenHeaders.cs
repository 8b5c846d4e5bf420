namespace Astra.Dispatch.Rules;

/// <summary>
/// Headers a rule may not set: the ones that frame the message or steer the connection (RFC 9110 §7.6.1, RFC 9112),
/// which the HTTP stack sets itself. A rule that set them could smuggle a second request, or make the connection
/// serve another host (<c>Host</c>) than the pinned origin.
/// </summary>
internal static class ForbiddenHeaders
{
    private static readonly HashSet<string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Transfer-Encoding", "Connection", "Upgrade", "TE", "Trailer", "Keep-Alive",
    };

    /// <summary>Whether a rule may not set <paramref name="name"/> (every <c>Proxy-*</c> header included).</summary>
    public static bool Contains(string name) =>
        Names.Contains(name) || name.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase);
}
