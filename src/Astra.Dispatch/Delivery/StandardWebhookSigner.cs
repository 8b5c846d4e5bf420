using System.Security.Cryptography;
using System.Text;

namespace Astra.Dispatch.Delivery;

/// <summary>
/// Standard Webhooks signatures: <c>v1,base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}"))</c>, one per secret,
/// space-separated so receivers accept either key while a secret is rotated.
/// </summary>
internal static class StandardWebhookSigner
{
    public const string SecretPrefix = "whsec_";

    public static string Sign(string webhookId, long timestamp, string body, IEnumerable<string> secrets) =>
        string.Join(' ', secrets.Select(secret => "v1," + Convert.ToBase64String(Hmac(Key(secret), webhookId, timestamp, body))));

    /// <summary>The key bytes of a <c>whsec_</c>-prefixed (or bare) base64 secret.</summary>
    public static byte[] Key(string secret)
    {
        var encoded = secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret;
        try
        {
            return Convert.FromBase64String(encoded);
        }
        catch (FormatException)
        {
            // Deliberately says nothing about the value.
            throw new FormatException("a signing secret must be whsec_ followed by base64");
        }
    }

    private static byte[] Hmac(byte[] key, string webhookId, long timestamp, string body) =>
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{webhookId}.{timestamp}.{body}"));
}
