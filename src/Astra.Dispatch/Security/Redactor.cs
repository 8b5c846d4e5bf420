using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Secrets;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Security;

/// <summary>
/// The one masker of what must not be stored, logged, published or shown: sensitive headers (<c>Authorization</c>,
/// cookies, API-key headers, signatures and <c>Dispatch:Http:RedactHeaders</c>), credential-named JSON fields, the JSON
/// fields a rule lists in <c>redact:</c>, and the values of the secrets a rule names wherever they appear (an echoing
/// endpoint may send them back, as is or encoded). Used by the worker, the CLI and the API alike.
/// </summary>
public sealed class Redactor
{
    /// <summary>What a masked value is replaced with.</summary>
    public const string Mask = "***";

    private static readonly string[] BuiltInHeaders =
        ["Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key", "Api-Key", "X-Auth-Token", "webhook-signature"];

    private static readonly string[] CredentialFields =
        ["password", "secret", "token", "access_token", "refresh_token", "id_token", "client_secret", "api_key", "apikey"];

    private readonly HashSet<string> _headers;
    private readonly HashSet<string> _fields;
    private readonly SecretStore? _secrets;

    /// <summary>The configured redactor.</summary>
    public Redactor(IOptions<RedactionOptions> options, SecretStore secrets)
        : this(options.Value.RedactHeaders, secrets)
    {
    }

    internal Redactor(IEnumerable<string> extraHeaders, SecretStore? secrets = null)
    {
        _headers = new HashSet<string>(BuiltInHeaders.Concat(extraHeaders.Where(h => !string.IsNullOrWhiteSpace(h))), StringComparer.OrdinalIgnoreCase);
        _fields = new HashSet<string>(_headers.Concat(CredentialFields), StringComparer.OrdinalIgnoreCase);
        _secrets = secrets;
    }

    /// <summary>Whether a header's value is always masked.</summary>
    public bool IsSensitiveHeader(string name) => _headers.Contains(name);

    /// <summary>A copy of the headers with sensitive values replaced by <see cref="Mask"/> and the rule's secret values masked.</summary>
    public IReadOnlyDictionary<string, string> Headers(IEnumerable<KeyValuePair<string, string>> headers, RuleDefinition? rule = null)
    {
        var secrets = SecretValues(rule);
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers)
            result[name] = IsSensitiveHeader(name) ? Mask : Values(value, secrets);
        return result;
    }

    /// <summary>Redacts text (a response excerpt, an error, a URL, a body) for a rule: its <c>redact:</c> fields and its secret values.</summary>
    public string? Text(string? text, RuleDefinition? rule) =>
        text is null ? null : Values(Json(text, rule?.Redact ?? []), SecretValues(rule));

    /// <summary>
    /// Masks, in a JSON text, each listed path (<c>data.phone</c>) and every property named like a path's last segment,
    /// a sensitive header or a credential field, at any depth (an echo may put the field elsewhere). Non-JSON text is
    /// returned as is.
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
        var names = _fields;
        if (paths.Count > 0)
        {
            names = new HashSet<string>(_fields, StringComparer.OrdinalIgnoreCase);
            foreach (var path in paths)
            {
                if (path.Split('.', StringSplitOptions.RemoveEmptyEntries) is [.., var last])
                    names.Add(last);
            }
        }
        var changed = MaskNames(root, names, 0);
        foreach (var path in paths)
            changed |= MaskPath(root, path);
        return changed ? root!.ToJsonString() : text;
    }

    /// <summary>
    /// Replaces every occurrence of each value with <see cref="Mask"/>, in the forms an echo may take: as is, URL-escaped,
    /// JSON-escaped (strictly, as .NET writes it, or minimally, as most encoders do) and with <c>/</c> written <c>\/</c>
    /// (JSON allows it; PHP and some others write it so).
    /// </summary>
    public static string Values(string text, IEnumerable<string> values)
    {
        var sb = new StringBuilder(text);
        // Longest first, so a secret that contains another is masked whole.
        foreach (var value in values.Distinct().OrderByDescending(v => v.Length))
        {
            // Very short values would mask half the text; secrets are never that short in practice.
            if (value.Length < 4)
                continue;
            foreach (var form in EchoForms(value).Distinct().OrderByDescending(f => f.Length))
                sb.Replace(form, Mask);
        }
        return sb.ToString();
    }

    private static IEnumerable<string> EchoForms(string value)
    {
        yield return value;
        yield return Uri.EscapeDataString(value);
        var strict = JsonEncodedText.Encode(value).Value;
        var minimal = JsonEncodedText.Encode(value, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value;
        foreach (var json in new[] { strict, minimal })
        {
            yield return json;
            yield return json.Replace("/", "\\/", StringComparison.Ordinal);
        }
    }

        /// <summary>The values of every secret the rule names that resolves inside the rule's tenant, with the Basic credential they make.</summary>
    public IReadOnlyList<string> SecretValues(RuleDefinition? rule)
    {
        var values = new List<string>();
        if (rule is null || _secrets is null)
            return values;
        var names = new List<string?> { rule.Auth?.Secret, rule.Signing?.Secret, rule.ClientCertificate };
        names.AddRange(rule.Signing?.Secrets ?? []);
        foreach (var name in names)
        {
            if (name is null || !_secrets.TryGet(rule.TenantId, name, out var value))
                continue;
            values.Add(value);
            if (name == rule.ClientCertificate)
                values.AddRange(CertificateEchoes.Of(value));
            if (rule.Auth is { Username: { } user } auth && AuthTypes.Of(auth) == AuthType.Basic && name == auth.Secret)
                values.Add(Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{value}")));
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
