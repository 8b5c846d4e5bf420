using System.Text.Json.Nodes;

namespace Astra.Dispatch.Cli.Infrastructure;

/// <summary>Masks credentials in what the CLI prints: sensitive header names, and any secret value resolved for a rule.</summary>
public sealed class Masking(IEnumerable<string>? secretValues = null)
{
    public const string Mask = "****";

    private static readonly HashSet<string> SensitiveNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Proxy-Authorization", "X-Api-Key", "Api-Key", "X-Auth-Token", "Cookie", "Set-Cookie",
        "webhook-signature", "password", "secret", "token", "access_token", "client_secret",
    };

    // Longest first, so a secret that contains another is masked whole.
    private readonly string[] _secrets = [.. (secretValues ?? []).Where(s => s.Length >= 4).Distinct().OrderByDescending(s => s.Length)];

    public static bool IsSensitive(string name) => SensitiveNames.Contains(name);

    public string Header(string name, string value) => IsSensitive(name) ? Mask : Text(value)!;

    public string? Text(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return text;
        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
            var escaped = Uri.EscapeDataString(secret);
            if (escaped != secret)
                text = text.Replace(escaped, Mask, StringComparison.Ordinal);
        }
        return text;
    }

    /// <summary>Masks a JSON document's sensitive properties (at any depth) and secret values; non-JSON is masked as text.</summary>
    public string? Json(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return text;
        try
        {
            var node = JsonNode.Parse(text);
            if (node is null)
                return Text(text);
            Walk(node);
            return Text(node.ToJsonString());
        }
        catch (System.Text.Json.JsonException)
        {
            return Text(text);
        }
    }

    private static void Walk(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    if (IsSensitive(name) && value is JsonValue)
                        obj[name] = Mask;
                    else if (value is not null)
                        Walk(value);
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    if (item is not null)
                        Walk(item);
                }
                break;
        }
    }
}
