using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Secrets;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Security;

/// <summary>
/// Masks what must not be stored or logged: sensitive headers (<c>Authorization</c>, <c>Cookie</c>, <c>Set-Cookie</c>,
/// <c>X-Api-Key</c> and <c>Dispatch:Http:RedactHeaders</c>), the JSON fields a rule lists in <c>redact:</c>, and the
/// values of the secrets a rule names wherever they appear (an echoing endpoint may send them back).
/// </summary>
public sealed class Redactor
{
    public const string Mask = "***";

    private static readonly string[] BuiltInHeaders = ["Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key"];

    private readonly HashSet<string> _headers;
    private readonly SecretStore? _secrets;

    public Redactor(IOptions<HttpDeliveryOptions> options, SecretStore secrets)
        : this(options.Value.RedactHeaders, secrets)
    {
    }

    internal Redactor(IEnumerable<string> extraHeaders, SecretStore? secrets = null)
    {
        _headers = new HashSet<string>(BuiltInHeaders.Concat(extraHeaders.Where(h => !string.IsNullOrWhiteSpace(h))), StringComparer.OrdinalIgnoreCase);
        _secrets = secrets;
    }

    public bool IsSensitiveHeader(string name) => _headers.Contains(name);

    /// <summary>A copy of the headers with sensitive values replaced by <see cref="Mask"/>.</summary>
    public IReadOnlyDictionary<string, string> Headers(IEnumerable<KeyValuePair<string, string>> headers)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers)
            result[name] = IsSensitiveHeader(name) ? Mask : value;
        return result;
    }

    /// <summary>Redacts text (a response excerpt, an error) for a rule: its <c>redact:</c> fields and its secret values.</summary>
    public string? Text(string? text, RuleDefinition? rule) =>
        text is null ? null : Values(Json(text, rule?.Redact ?? []), SecretValues(rule));

    /// <summary>
    /// Masks, in a JSON text, each listed path (<c>data.phone</c>) and every property named like a path's last segment
    /// or like a sensitive header, at any depth (an echo may put the field elsewhere). Non-JSON text is returned as is.
    /// </summary>
    public string Json(string text, IReadOnlyCollection<string> paths)
    {
        var trimmed = text.AsSpan().TrimStart();
        if (trimmed.IsEmpty || (trimmed[0] != '{' && trimmed[0] != '['))
            return text;
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException)
        {
            return text;
        }
        var names = new HashSet<string>(_headers, StringComparer.OrdinalIgnoreCase);
        foreach (var path in paths)
        {
            if (path.Split('.', StringSplitOptions.RemoveEmptyEntries) is [.., var last])
                names.Add(last);
        }
        var changed = MaskNames(root, names, 0);
        foreach (var path in paths)
            changed |= MaskPath(root, path);
        return changed ? root!.ToJsonString() : text;
    }

    /// <summary>Replaces every occurrence of each value (and its URL- and JSON-escaped forms) with <see cref="Mask"/>.</summary>
    public static string Values(string text, IEnumerable<string> values)
    {
        var sb = new StringBuilder(text);
        foreach (var value in values)
        {
            // Very short values would mask half the text; secrets are never that short in practice.
            if (value.Length < 4)
                continue;
            sb.Replace(value, Mask);
            sb.Replace(Uri.EscapeDataString(value), Mask);
            sb.Replace(JsonEncodedText.Encode(value).Value, Mask);
        }
        return sb.ToString();
    }

    private List<string> SecretValues(RuleDefinition? rule)
    {
        var values = new List<string>();
        if (rule is null || _secrets is null)
            return values;
        var names = new List<string?> { rule.Auth?.Secret, rule.Signing?.Secret };
        names.AddRange(rule.Signing?.Secrets ?? []);
        foreach (var name in names)
        {
            if (name is not null && _secrets.TryGet(name, out var value))
            {
                values.Add(value);
                if (rule.Auth is { Type: "basic", Username: { } user } && name == rule.Auth.Secret)
                    values.Add(Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{value}")));
            }
        }
        return values;
    }

    private static bool MaskNames(JsonNode? node, HashSet<string> names, int depth)
    {
        if (depth > 64)
            return false;
        var changed = false;
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (names.Contains(key) && obj[key] is not null)
                    {
                        obj[key] = Mask;
                        changed = true;
                    }
                    else
                    {
                        changed |= MaskNames(obj[key], names, depth + 1);
                    }
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                    changed |= MaskNames(item, names, depth + 1);
                break;
        }
        return changed;
    }

    private static bool MaskPath(JsonNode? root, string path)
    {
        var segments = path.Split('.', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0)
            return false;
        var node = root;
        foreach (var segment in segments[..^1])
        {
            node = node is JsonObject obj ? obj[segment] : null;
            if (node is null)
                return false;
        }
        if (node is JsonObject parent && parent[segments[^1]] is not null)
        {
            parent[segments[^1]] = Mask;
            return true;
        }
        return false;
    }
}
