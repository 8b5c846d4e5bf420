using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Astra.Dispatch.Security;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Delivery;

/// <summary>
/// Builds every outbound HTTP handler the same way: the SSRF guard of one network policy on connect, no redirects,
/// cookies or proxy, bounded connections, and server certificates checked against the system roots plus
/// <c>Dispatch:Http:TrustedCaCertificates</c>. Optionally presents a client certificate (mTLS). A handler is a
/// connection pool: it serves the tenants of its policy only (see <see cref="SsrfGuard"/>).
/// </summary>
internal sealed class GuardedHttpHandlers(SsrfGuard guard, IOptions<HttpDeliveryOptions> options)
{
    private readonly Lazy<X509Certificate2Collection> _trustedCas = new(() => LoadCas(options.Value.TrustedCaCertificates));

    public SocketsHttpHandler Create(NetworkPolicy policy, X509Certificate2? clientCertificate = null)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = guard.CallbackFor(policy),
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            MaxConnectionsPerServer = options.Value.MaxConcurrencyPerDestination,
            MaxResponseHeadersLength = 64,
        };
        if (clientCertificate is not null)
            handler.SslOptions.ClientCertificates = [clientCertificate];
        if (options.Value.TrustedCaCertificates.Length > 0)
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Validate(certificate, chain, errors);
        return handler;
    }

    /// <summary>System trust first; a chain error alone is forgiven when the chain ends at one of the configured CAs. A name mismatch never is.</summary>
    private bool Validate(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
            return true;
        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null)
            return false;
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_trustedCas.Value);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements.Skip(1))
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
        }
        using var leaf = new X509Certificate2(certificate);
        return custom.Build(leaf);
    }

    private static X509Certificate2Collection LoadCas(string[] paths)
    {
        var all = new X509Certificate2Collection();
        foreach (var path in paths)
            all.ImportFromPemFile(path);
        return all;
    }
}
