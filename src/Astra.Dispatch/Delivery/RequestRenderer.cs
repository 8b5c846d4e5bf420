using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Astra.Dispatch.Catalog;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Templating;
using Fluid;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Delivery;

/// <summary>
/// Renders a rule's request for one event. Event data is encoded for where it lands (<see cref="TemplateEncoders"/>):
/// URL-encoded in the URL, whose scheme, host and port must still be the rule's literal ones afterwards; escaped in a
/// JSON body, so it cannot add keys or close a string, and the body must parse, or the error gives the position;
/// percent-encoded in a form body; header values are checked for CR/LF. Each field's output is capped at its HTTP
/// limit while it renders, and the whole request shares one step budget and deadline (<see cref="TemplateLimits"/>).
/// </summary>
internal sealed class RequestRenderer(LiquidEngine liquid, IOptions<HttpDeliveryOptions> options)
{
    /// <summary>Renders <paramref name="rule"/>'s request from the event <paramref name="model"/>; <paramref name="rawEvent"/> (the event as
    /// JSON, the body of a rule without a body template) is serialized only if a rule needs it.</summary>
    public async ValueTask<RenderedRequest> RenderAsync(CompiledRule rule, IReadOnlyDictionary<string, object?> model, Lazy<string> rawEvent)
    {
        var limits = options.Value;
        var context = liquid.CreateContext(model);
        var url = await RenderFieldAsync(rule, "request.url", rule.Url, context, TemplateEncoders.Url, (limits.MaxUrlLength, "Dispatch:Http:MaxUrlLength"));
        if (rule.Query.Count > 0)
            url = AppendQuery(url, await RenderPairsAsync(rule, "request.query", rule.Query, context, (limits.MaxUrlLength, "Dispatch:Http:MaxUrlLength")));
        CheckUrl(rule, url, limits);

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in await RenderPairsAsync(rule, "request.headers", rule.Headers, context, (limits.MaxHeaderValueLength, "Dispatch:Http:MaxHeaderValueLength")))
        {
            if (value.Length > limits.MaxHeaderValueLength)
                throw new RenderException(rule.Id, $"request.headers.{name}", $"rendered value is longer than {limits.MaxHeaderValueLength} characters");
            if (value.Any(c => c is '\r' or '\n' or '\0' || (char.IsControl(c) && c != '\t')))
                throw new RenderException(rule.Id, $"request.headers.{name}", "rendered value contains CR, LF or control characters");
            headers[name] = value;
        }

        string? body = null;
        if (rule.Method is not ("GET" or "DELETE") || rule.Body is not null)
        {
            body = rule.Body is null
                ? rawEvent.Value
                : await RenderFieldAsync(rule, "request.body", rule.Body, context, TemplateEncoders.ForBody(rule.ContentType), (limits.MaxRequestBodyBytes, "Dispatch:Http:MaxRequestBodyBytes"));
            if (Encoding.UTF8.GetByteCount(body) > limits.MaxRequestBodyBytes)
                throw new RenderException(rule.Id, "request.body", $"rendered body is larger than {limits.MaxRequestBodyBytes} bytes (Dispatch:Http:MaxRequestBodyBytes)");
            if (rule.ContentType == "application/json")
                CheckJson(rule, body);
        }
        return new RenderedRequest(rule.Method, url, headers, body, rule.ContentType);
    }

    /// <summary>Renders one field with its output capped at its HTTP limit as well as the template limit, while it renders
    /// (a UTF-16 character is at least one UTF-8 byte, so a byte limit is a valid cap on characters too).</summary>
    private async ValueTask<string> RenderFieldAsync(CompiledRule rule, string field, IFluidTemplate template, TemplateContext context, TextEncoder encoder,
        (int Chars, string Setting) cap)
    {
        if (cap.Chars >= liquid.Limits.MaxOutputChars)
            cap = (liquid.Limits.MaxOutputChars, "Dispatch:Templates:MaxOutputChars");
        context.MaxOutputSize = cap.Chars;
        try
        {
            return await LiquidEngine.RenderAsync(template, context, encoder);
        }
        catch (InvalidOperationException ex) when (ex.Message.StartsWith("The maximum template output size", StringComparison.Ordinal))
        {
            throw new RenderException(rule.Id, field, $"rendered text, or a string built on the way, is longer than {cap.Chars} characters ({cap.Setting})");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new RenderException(rule.Id, field, ex.Message);
        }
    }

    private async ValueTask<List<KeyValuePair<string, string>>> RenderPairsAsync(
        CompiledRule rule, string field, IReadOnlyList<KeyValuePair<string, IFluidTemplate>> templates, TemplateContext context, (int, string) cap)
    {
        var result = new List<KeyValuePair<string, string>>(templates.Count);
        foreach (var (name, template) in templates)
            result.Add(new(name, await RenderFieldAsync(rule, $"{field}.{name}", template, context, TemplateEncoders.None, cap)));
        return result;
    }

    private static string AppendQuery(string url, List<KeyValuePair<string, string>> query)
    {
        var sb = new StringBuilder(url);
        var separator = url.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        foreach (var (name, value) in query)
        {
            sb.Append(separator).Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }
        return sb.ToString();
    }

    private static void CheckUrl(CompiledRule rule, string url, HttpDeliveryOptions limits)
    {
        if (url.Length > limits.MaxUrlLength)
            throw new RenderException(rule.Id, "request.url", $"rendered URL is longer than {limits.MaxUrlLength} characters");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || string.IsNullOrEmpty(uri.Host))
            throw new RenderException(rule.Id, "request.url", "rendered URL is not an absolute http(s) URL");
        if (uri.Scheme == "http" && !limits.AllowPlainHttp)
            throw new RenderException(rule.Id, "request.url", "plain http:// is not allowed (Dispatch:Http:AllowPlainHttp)");
        if (!string.IsNullOrEmpty(uri.UserInfo))
            throw new RenderException(rule.Id, "request.url", "credentials in the URL are not allowed; use auth with a secret");
        // The compiler pinned the origin to the rule's literal text; this holds even if a template found a way around it.
        if (!UrlOrigin.IsSame(uri, rule.Origin))
            throw new RenderException(rule.Id, "request.url", $"rendered URL leaves the rule's origin {rule.Origin.GetLeftPart(UriPartial.Authority)} (scheme, host and port are fixed by the rule)");
    }

    private static void CheckJson(CompiledRule rule, string body)
    {
        try
        {
            using var _ = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            throw new RenderException(rule.Id, "request.body",
                $"rendered body is not valid JSON at line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1} (use the json filter for values: {{{{ data.x | json }}}})");
        }
    }
}
