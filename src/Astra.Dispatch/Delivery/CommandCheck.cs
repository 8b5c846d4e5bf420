using Astra.Dispatch.Catalog;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Rules;

namespace Astra.Dispatch.Delivery;

/// <summary>
/// A command crossed the broker: before the rule's credentials are added, it must still be a request the rule could
/// have rendered. Its URL's scheme, host and port must be the rule's pinned origin and its method the rule's, so a forged
/// or stale command cannot send them elsewhere; and it may not carry the headers no rule may set.
/// </summary>
internal static class CommandCheck
{
    /// <summary>Null when the command may be sent for <paramref name="rule"/>; otherwise why not (a permanent failure).</summary>
    public static string? Refusal(SendHttpAction command, CompiledRule rule)
    {
        if (!Uri.TryCreate(command.Url, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http") || string.IsNullOrEmpty(url.Host))
            return $"command refused: its URL is not an absolute http(s) URL (rule {rule.Id} sends to {Origin(rule.Origin)} only)";
        if (!UrlOrigin.IsSame(url, rule.Origin))
            return $"command refused: its URL's origin {Origin(url)} is not rule {rule.Id}'s {Origin(rule.Origin)}";
        if (!string.IsNullOrEmpty(url.UserInfo))
            return "command refused: its URL holds credentials (user@host)";
        if (!string.Equals(command.Method, rule.Method, StringComparison.Ordinal))
            return $"command refused: method {Printable(command.Method)} is not rule {rule.Id}'s {rule.Method}";
        foreach (var (name, value) in command.Headers)
        {
            if (ForbiddenHeaders.Contains(name))
                return $"command refused: it sets the header {Printable(name)}, which no rule may set";
            if (value.Any(c => char.IsControl(c) && c != '\t'))
                return $"command refused: the value of header {Printable(name)} holds CR, LF or control characters";
        }
        return null;
    }

    /// <summary>Scheme, host and port (always spelled out, so 443 and 8443 differ visibly), never user info.</summary>
    private static string Origin(Uri url) => $"{url.Scheme}://{url.Host}:{url.Port}";

    private static string Printable(string text) =>
        text.Length > 64 || text.Any(char.IsControl) ? "(unprintable or too long)" : text;
}
