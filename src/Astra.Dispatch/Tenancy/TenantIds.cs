using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Astra.Dispatch.Tenancy;

/// <summary>
/// The tenant id contract, <c>[a-z0-9][a-z0-9-]{0,62}</c>. A tenant id becomes a folder name
/// (<c>&lt;Dispatch:SecretsPath&gt;/&lt;tenant&gt;</c>) and part of an environment variable name, so nothing else is
/// accepted: no dot, slash, upper case or look-alike character can name another tenant's secrets.
/// </summary>
public static partial class TenantIds
{
    /// <summary>The rule, as error messages state it.</summary>
    public const string Description = "1-63 characters of a-z, 0-9 and '-', starting with a letter or digit";

    // \z, not $: in .NET '$' also matches before a final newline, and "acme\n" is not acme.
    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,62}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    /// <summary>Whether <paramref name="tenantId"/> is a tenant id.</summary>
    public static bool IsValid([NotNullWhen(true)] string? tenantId) => tenantId is not null && Pattern().IsMatch(tenantId);
}
