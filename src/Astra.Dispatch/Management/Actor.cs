namespace Astra.Dispatch.Management;

/// <summary>Who makes a change, as the audit log and rule revisions record it.</summary>
/// <param name="Name"><c>key:&lt;key name&gt;</c> for an API key, <c>cli:&lt;user&gt;</c> for the CLI.</param>
/// <param name="KeyId">The API key's id, when a key made the change.</param>
public sealed record Actor(string Name, string? KeyId)
{
    /// <summary>The CLI run by the current operating-system user.</summary>
    public static Actor Cli() => new($"cli:{Environment.UserName}", null);

    /// <summary>An API key.</summary>
    public static Actor Key(string name, string keyId) => new($"key:{name}", keyId);
}
