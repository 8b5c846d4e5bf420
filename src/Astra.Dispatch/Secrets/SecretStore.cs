using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Secrets;

/// <summary>
/// Resolves secret names to values at send time: <c>ASTRA_SECRET_&lt;NAME&gt;</c> environment variables first,
/// then a file named after the secret in <c>Dispatch:SecretsPath</c>. Values are never cached to disk or logged.
/// </summary>
public sealed class SecretStore(IOptions<DispatchOptions> options)
{
    /// <summary>Secrets may come from environment variables with this prefix.</summary>
    public const string EnvironmentPrefix = "ASTRA_SECRET_";

    /// <summary>Whether the secret resolves.</summary>
    public bool Exists(string name) => TryGet(name, out _);

    /// <summary>The secret's value, when it resolves.</summary>
    public bool TryGet(string name, out string value)
    {
        value = "";
        if (string.IsNullOrWhiteSpace(name) || name.IndexOfAny(['/', '\\', '\0']) >= 0 || name.StartsWith('.'))
            return false;
        if (Environment.GetEnvironmentVariable(EnvironmentPrefix + name) is { Length: > 0 } fromEnvironment)
        {
            value = fromEnvironment;
            return true;
        }
        if (options.Value.SecretsPath is { Length: > 0 } folder && File.Exists(Path.Combine(folder, name)))
        {
            // Kubernetes secret files often end with a newline that is not part of the value.
            value = File.ReadAllText(Path.Combine(folder, name)).TrimEnd('\r', '\n');
            return value.Length > 0;
        }
        return false;
    }

    /// <summary>The secret's value; a <see cref="SecretNotFoundException"/> naming it otherwise.</summary>
    public string Get(string name) => TryGet(name, out var value)
        ? value
        : throw new SecretNotFoundException(name);
}

internal sealed class SecretNotFoundException(string name)
    : Exception($"secret '{name}' is not set (ASTRA_SECRET_{name} or a file of that name in Dispatch:SecretsPath)")
{
    public string SecretName { get; } = name;
}
