using System.Security.Cryptography;
using System.Text;
using Astra.Dispatch.Rules;

namespace Astra.Dispatch.Storage;

/// <summary>
/// A short fingerprint of a stored rule's state (definition, version, enabled, pause reason): the API's <c>ETag</c>.
/// Whoever changes the rule (the API, the CLI, the worker pausing it, a rules file) changes its stamp, so an editor's
/// <c>If-Match</c> fails once anything moved under them.
/// </summary>
public static class RuleStamp
{
    /// <summary>32 hex characters (128 bits of SHA-256).</summary>
    public static string Of(StoredRule rule)
    {
        // Length-prefixed fields: no two different states make the same input.
        var text = string.Join('\n', new[] { rule.TenantId, rule.Id, rule.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            rule.Enabled ? "1" : "0", rule.PausedReason ?? "\0", rule.Definition }.Select(f => $"{f.Length}:{f}"));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 16));
    }
}
