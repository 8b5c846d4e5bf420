using System.Security.Cryptography;
using System.Text;

namespace Astra.Dispatch.Management;

/// <summary>
/// API keys look like <c>astra_&lt;id&gt;_&lt;secret&gt;</c>: a prefix that secret scanners can match, a 16-character id
/// (80 random bits, base32) under which the key is stored and found with one indexed lookup, and a 52-character secret
/// (256 random bits, base32). Only HMAC-SHA256(per-key random salt, secret) is stored: the secret has too much entropy
/// for a slow password hash to add anything, and a salted hash (rather than a server-side pepper) needs no key material
/// shared between the CLI and every console replica.
/// </summary>
public static class ApiKeyFormat
{
    /// <summary>What every key starts with.</summary>
    public const string Prefix = "astra_";

    /// <summary>Characters of a key id.</summary>
    public const int IdLength = 16;

    /// <summary>Characters of a key secret.</summary>
    public const int SecretLength = 52;

    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>A new random key.</summary>
    public static (string Id, string Secret, string Key) New()
    {
        var id = Base32(RandomNumberGenerator.GetBytes(10));
        var secret = Base32(RandomNumberGenerator.GetBytes(32))[..SecretLength];
        return (id, secret, $"{Prefix}{id}_{secret}");
    }

    /// <summary>Splits a presented key; false when it does not have the shape of a key.</summary>
    public static bool TryParse(string? key, out string id, out string secret)
    {
        id = secret = "";
        if (key is null || key.Length != Prefix.Length + IdLength + 1 + SecretLength || !key.StartsWith(Prefix, StringComparison.Ordinal)
            || key[Prefix.Length + IdLength] != '_')
            return false;
        var idPart = key.AsSpan(Prefix.Length, IdLength);
        var secretPart = key.AsSpan(Prefix.Length + IdLength + 1);
        if (!IsBase32(idPart) || !IsBase32(secretPart))
            return false;
        id = idPart.ToString();
        secret = secretPart.ToString();
        return true;
    }

    /// <summary>A new random salt.</summary>
    public static byte[] NewSalt() => RandomNumberGenerator.GetBytes(16);

    /// <summary>HMAC-SHA256(salt, secret): what is stored and compared.</summary>
    public static byte[] Hash(byte[] salt, string secret) => HMACSHA256.HashData(salt, Encoding.UTF8.GetBytes(secret));

    /// <summary>Whether <paramref name="secret"/> hashes to <paramref name="hash"/>, in time that does not depend on where they differ.</summary>
    public static bool Verify(byte[] salt, byte[] hash, string secret) => CryptographicOperations.FixedTimeEquals(Hash(salt, secret), hash);

    private static bool IsBase32(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!Alphabet.Contains(c, StringComparison.Ordinal))
                return false;
        }
        return true;
    }

    private static string Base32(byte[] bytes)
    {
        var sb = new StringBuilder((bytes.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                sb.Append(Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0)
            sb.Append(Alphabet[(buffer << (5 - bits)) & 31]);
        return sb.ToString();
    }
}
