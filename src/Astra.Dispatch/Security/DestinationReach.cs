using System.Collections.Concurrent;
using System.Net;

namespace Astra.Dispatch.Security;

/// <summary>
/// Whether a destination is known to be public: a public address, or a name whose every address was public when the
/// <see cref="SsrfGuard"/> last resolved it. Errors stored and published for a tenant are worded from this: about a
/// destination that is not known public (an internal address, allowed or not, a name that did not resolve, one not
/// resolved yet), a refusal, a closed port and a timeout must read the same.
/// </summary>
internal sealed class DestinationReach
{
    /// <summary>Past this many names the memo starts afresh (wildcard subdomains); a forgotten name is not known public.</summary>
    internal const int MaxRemembered = 10_000;

    private readonly ConcurrentDictionary<string, bool> _public = new(StringComparer.OrdinalIgnoreCase);

    public bool IsKnownPublic(string host)
    {
        host = host.Trim('[', ']');
        if (IPAddress.TryParse(host, out var literal))
            return !NetworkPolicy.IsInternal(literal);
        return _public.TryGetValue(host, out var isPublic) && isPublic;
    }

    /// <summary>A name is being resolved: not known public until every answer is in.</summary>
    public void Resolving(string host) => Remember(host, false);

    /// <summary>A name resolved to <paramref name="addresses"/>.</summary>
    public void Resolved(string host, IReadOnlyCollection<IPAddress> addresses) =>
        Remember(host, addresses.Count > 0 && !addresses.Any(NetworkPolicy.IsInternal));

    private void Remember(string host, bool isPublic)
    {
        if (_public.Count >= MaxRemembered && !_public.ContainsKey(host))
            _public.Clear();
        _public[host] = isPublic;
    }
}
