namespace Astra.Dispatch.Rules;

/// <summary>How a rule authenticates its requests (<c>auth.type</c>).</summary>
internal enum AuthType
{
    /// <summary>No credentials.</summary>
    None,

    /// <summary><c>Authorization: Bearer &lt;secret&gt;</c>.</summary>
    Bearer,

    /// <summary><c>Authorization: Basic base64(username:secret)</c>.</summary>
    Basic,

    /// <summary>A header named <c>auth.name</c> holding the secret.</summary>
    Header,

    /// <summary>A query parameter named <c>auth.name</c> holding the secret.</summary>
    Query,

    /// <summary>An OAuth2 client-credentials token from <c>auth.tokenUrl</c>, sent as a bearer token.</summary>
    OAuth2,
}

/// <summary>The names of <see cref="AuthType"/> as rules spell them.</summary>
internal static class AuthTypes
{
    private static readonly Dictionary<string, AuthType> ByName = new(StringComparer.Ordinal)
    {
        ["none"] = AuthType.None,
        ["bearer"] = AuthType.Bearer,
        ["basic"] = AuthType.Basic,
        ["header"] = AuthType.Header,
        ["query"] = AuthType.Query,
        ["oauth2"] = AuthType.OAuth2,
    };

    /// <summary>Every name, for error messages.</summary>
    public static string Names { get; } = string.Join(", ", ByName.Keys);

    /// <summary>The type named <paramref name="name"/>.</summary>
    public static bool TryParse(string? name, out AuthType type) => ByName.TryGetValue(name ?? "", out type);

    /// <summary>The type of a validated rule's auth (none when it has none).</summary>
    public static AuthType Of(AuthDefinition? auth) => auth is null ? AuthType.None : ByName[auth.Type];
}
