using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Astra.Dispatch.Secrets;
using Astra.Dispatch.Security;

namespace Astra.Dispatch.Delivery;

/// <summary>
/// One HTTP client per client certificate (a rule's <c>clientCertificate</c> secret) and network policy, keyed by
/// (tenant, secret name, policy): a TLS connection is bound to the certificate it presented, and a pooled connection to
/// the policy it was checked under, so each needs its own connection pool, and one tenant's pool (with its certificate)
/// is never another tenant's. The secret is read at send time like every other, inside the rule's tenant; when its value
/// changes (rotation) a new client replaces the old one.
/// </summary>
internal sealed class ClientCertificateClients(GuardedHttpHandlers handlers, SecretStore secrets) : IDisposable
{
    private readonly ConcurrentDictionary<(string TenantId, string SecretName, NetworkPolicy Policy), Entry> _clients = new();

    public HttpClient Get(string tenantId, string secretName, NetworkPolicy policy)
    {
        var value = secrets.Get(tenantId, secretName);
        var fingerprint = SHA256.HashData(Encoding.UTF8.GetBytes(value));
        var key = (tenantId, secretName, policy);
        if (_clients.TryGetValue(key, out var current) && current.Fingerprint.AsSpan().SequenceEqual(fingerprint))
            return current.Client;
        var created = new Entry(fingerprint, new HttpClient(handlers.Create(policy, Load(secretName, value))) { Timeout = Timeout.InfiniteTimeSpan });
        // A replaced client is not disposed: requests may still be in flight on it; its idle connections close on their own.
        var stored = _clients.AddOrUpdate(key, created, (_, existing) => existing.Fingerprint.AsSpan().SequenceEqual(fingerprint) ? existing : created);
        if (!ReferenceEquals(stored, created))
            created.Client.Dispose();
        return stored.Client;
    }

    public void Dispose()
    {
        foreach (var entry in _clients.Values)
            entry.Client.Dispose();
    }

    /// <summary>PEM (certificate and private key, in one secret) or base64 PKCS#12 without a password.</summary>
    internal static X509Certificate2 Load(string secretName, string value)
    {
        try
        {
            if (value.Contains("-----BEGIN", StringComparison.Ordinal))
            {
                using var pem = X509Certificate2.CreateFromPem(value, value);
                // Re-imported so the key is usable for TLS on every platform (ephemeral PEM keys are not on Windows).
                return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            }
            return X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(value.Trim()), null);
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or ArgumentException)
        {
            // Never the value or the parser's message (which may quote it): only which secret is unusable.
            throw new PermanentDeliveryException($"secret '{secretName}' is not a client certificate (PEM certificate and private key, or base64 PKCS#12 without a password)");
        }
    }

    private sealed record Entry(byte[] Fingerprint, HttpClient Client);
}
