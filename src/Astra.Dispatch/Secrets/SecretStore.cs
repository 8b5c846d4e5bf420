using Astra.Dispatch.Tenancy;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Secrets;

/// <summary>
/// Resolves a rule's secret names at send time, only ever inside the rule's tenant: secret <c>NAME</c> of tenant
/// <c>T</c> is the environment variable <c>ASTRA_SECRET_&lt;T'&gt;__&lt;NAME&gt;</c> (<c>T'</c>: <c>T</c> upper-cased,
/// <c>-</c> → <c>_</c>), else the file <c>&lt;Dispatch:SecretsPath&gt;/&lt;T&gt;/&lt;NAME&gt;</c>. There is no global
/// namespace and no fallback: an invalid tenant id or name (see <see cref="SecretNames"/>) resolves to nothing.
/// Values are never cached to disk or logged.
/// </summary>
public sealed class SecretStore(IOptions<DispatchOptions> options)
{
    /// <summary>Secrets may come from environment variables with this prefix, then the tenant and the name.</summary>
    public const string EnvironmentPrefix = "ASTRA_SECRET_";

    /// <summary>Whether the tenant's secret resolves.</summary>
    public bool Exists(string tenantId, string name) => TryGet(tenantId, name, out _);

    /// <summary>The value of <paramref name="tenantId"/>'s secret <paramref name="name"/>, when it resolves.</summary>
    public bool TryGet(string tenantId, string name, out string value)
    {
        value = "";
        if (!TenantIds.IsValid(tenantId) || !SecretNames.IsValid(name))
            return false;
        if (Environment.GetEnvironmentVariable(EnvironmentVariable(tenantId, name)) is { Length: > 0 } fromEnvironment)
        {
            value = fromEnvironment;
            return true;
        }
        if (options.Value.SecretsPath is { Length: > 0 } folder && Path.Join(folder, tenantId, name) is var file && File.Exists(file))
        {
            // Kubernetes secret files often end with a newline that is not part of the value.
            value = File.ReadAllText(file).TrimEnd('\r', '\n');
            return value.Length > 0;
        }
        return false;
    }

    /// <summary>The tenant's secret; a <see cref="SecretNotFoundException"/> naming it (never a value) otherwise.</summary>
    public string Get(string tenantId, string name) => TryGet(tenantId, name, out var value)
        ? value
        : throw new SecretNotFoundException(tenantId, name);

    /// <summary>The environment variable that holds <paramref name="tenantId"/>'s secret <paramref name="name"/>.</summary>
    public static string EnvironmentVariable(string tenantId, string name) =>
        EnvironmentPrefix + tenantId.ToUpperInvariant().Replace('-', '_') + "__" + name;

    /// <summary>Where a secret is looked for, as messages say it (the variable, or the file relative to <c>Dispatch:SecretsPath</c>).</summary>
    public static string Locations(string tenantId, string name) =>
        $"{EnvironmentVariable(tenantId, name)}, or the file {tenantId}/{name} in Dispatch:SecretsPath";

    /// <summary>Why the secret does not resolve, naming it (quoted when it is not a valid name) and never a value.</summary>
    public static string Describe(string tenantId, string name) =>
        !TenantIds.IsValid(tenantId) ? $"secret {SecretNames.Quote(name)} cannot be resolved: the rule's tenant id {SecretNames.Quote(tenantId)} is invalid"
        : !SecretNames.IsValid(name) ? $"{SecretNames.Quote(name)} is not a valid secret name ({SecretNames.Description}); secrets are resolved inside the rule's tenant"
        : $"secret '{name}' is not set for tenant '{tenantId}' ({Locations(tenantId, name)})";
}

/// <summary>A secret a rule names does not resolve inside the rule's tenant: the delivery fails permanently.</summary>
internal sealed class SecretNotFoundException(string tenantId, string name) : Exception(SecretStore.Describe(tenantId, name))
{
    public string TenantId { get; } = tenantId;

    public string SecretName { get; } = name;
}
