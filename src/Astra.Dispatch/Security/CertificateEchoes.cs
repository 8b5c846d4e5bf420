using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Security.Cryptography.X509Certificates;

namespace Astra.Dispatch.Security;

/// <summary>
/// What of a client-certificate secret an endpoint may echo: a proxy in front of it often forwards the certificate it
/// saw (as PEM, URL-escaped PEM, or base64 DER on one line), and the key may be echoed with it. Masking each base64 line
/// of the PEM blocks catches every wrapping of them (one line, 64-character lines, escaped newlines), since the joined
/// form holds the lines.
/// </summary>
internal static class CertificateEchoes
{
    /// <summary>Lines shorter than this (a block's last) are too short to be told from ordinary text, and too short to use.</summary>
    private const int MinLine = 16;

    /// <summary>Parsing a PKCS#12 on every redaction would cost more than the rest of it: the forms are kept per value (by hash).</summary>
    private const int MaxCached = 256;

    private static readonly ConcurrentDictionary<string, IReadOnlyList<string>> Cache = new(StringComparer.Ordinal);

    /// <summary>The forms to mask besides the secret value itself: PEM (certificate and key) or base64 PKCS#12.</summary>
    public static IReadOnlyList<string> Of(string value)
    {
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
        if (Cache.TryGetValue(key, out var cached))
            return cached;
        var pem = value.Contains("-----BEGIN", StringComparison.Ordinal) ? value : Pkcs12AsPem(value);
        IReadOnlyList<string> forms = pem is null ? [] : Base64Lines(pem);
        if (Cache.Count >= MaxCached)
            Cache.Clear();
        Cache[key] = forms;
        return forms;
    }

    private static List<string> Base64Lines(string pem) =>
    [
        .. pem.Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.Length >= MinLine && !line.StartsWith("-----", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal),
    ];

    /// <summary>The certificate of a base64 PKCS#12 secret as PEM; null when it is not one.</summary>
    private static string? Pkcs12AsPem(string value)
    {
        try
        {
            using var certificate = X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(value.Trim()), null);
            // One line of the DER too: a proxy forwarding base64 DER writes it unwrapped.
            return certificate.ExportCertificatePem() + "\n" + Convert.ToBase64String(certificate.RawData);
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            return null;
        }
    }
}
