using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Astra.Dispatch.Secrets;

/// <summary>
/// What a secret name may be. A name is a file name inside its tenant's folder and the tail of an environment
/// variable, so it can hold no path (<c>/</c>, <c>\</c>, <c>..</c>, a leading dot), no <c>__</c> (the separator between
/// tenant and name in <c>ASTRA_SECRET_&lt;TENANT&gt;__&lt;NAME&gt;</c>) and nothing outside ASCII (no look-alikes, no
/// NUL). A name cannot start with <c>_</c> either: tenant <c>a-</c> with <c>B</c> and tenant <c>a</c> with <c>_B</c>
/// would otherwise be the same variable, <c>ASTRA_SECRET_A___B</c>.
/// </summary>
public static partial class SecretNames
{
    /// <summary>The rule, as error messages state it.</summary>
    public const string Description = "1-128 characters of A-Z, a-z, 0-9, '.', '_' and '-', starting with a letter or digit, without '..' or '__'";

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    /// <summary>Whether <paramref name="name"/> is a secret name.</summary>
    public static bool IsValid([NotNullWhen(true)] string? name) =>
        name is not null && Pattern().IsMatch(name) && !name.Contains("..", StringComparison.Ordinal) && !name.Contains("__", StringComparison.Ordinal);

    /// <summary>
    /// A name as an error message may quote it: JSON-escaped (control characters and every non-ASCII character as
    /// <c>\uXXXX</c>, so a look-alike shows as what it is) and cut at 80 characters.
    /// </summary>
    public static string Quote(string? name)
    {
        var text = name ?? "";
        return JsonSerializer.Serialize(text.Length > 80 ? text[..80] + "…" : text);
    }
}
