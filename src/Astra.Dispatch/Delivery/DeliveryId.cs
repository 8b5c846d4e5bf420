using System.Security.Cryptography;
using System.Text;

namespace Astra.Dispatch.Delivery;

/// <summary>
/// The delivery id (contract): deterministic from (tenantId, eventId, ruleId), so retries, replays and
/// duplicate events all carry the same <c>webhook-id</c> and <c>Idempotency-Key</c>.
/// </summary>
internal static class DeliveryId
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string For(string tenantId, string eventId, string ruleId)
    {
        // Length-prefixed so ("a|b","c") and ("a","b|c") never collide.
        var input = $"{tenantId.Length}:{tenantId}|{eventId.Length}:{eventId}|{ruleId.Length}:{ruleId}";
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(input), hash);
        return "msg_" + Base32(hash[..20]);
    }

    private static string Base32(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length * 8 / 5);
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
