using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Security;

namespace Astra.Dispatch.Dispatching;

/// <summary>
/// A rendered request as people may see it (dry runs in the CLI, the API and the console): every credential masked,
/// and what is added only at send time (authentication, signature) shown without its value.
/// </summary>
public sealed record RequestPreview(string Method, string Url, IReadOnlyDictionary<string, string> Headers, string ContentType, string? Body)
{
    internal static RequestPreview Of(RenderedRequest request, RuleDefinition rule, Redactor redactor)
    {
        var url = redactor.Text(request.Url, rule)!;
        var headers = new Dictionary<string, string>(redactor.Headers(request.Headers, rule), StringComparer.OrdinalIgnoreCase);
        var auth = rule.Auth;
        switch (AuthTypes.Of(auth))
        {
            case AuthType.Bearer or AuthType.OAuth2:
                headers["Authorization"] = $"Bearer {Redactor.Mask}";
                break;
            case AuthType.Basic:
                headers["Authorization"] = $"Basic {Redactor.Mask}";
                break;
            case AuthType.Header:
                headers[auth!.Name!] = Redactor.Mask;
                break;
            case AuthType.Query:
                url += (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + Uri.EscapeDataString(auth!.Name!) + "=" + Redactor.Mask;
                break;
        }
        if (rule.Signing is not null)
            headers[RequestHeaders.WebhookSignature] = $"v1,{Redactor.Mask}";
        return new RequestPreview(request.Method, url, headers, request.ContentType, redactor.Text(request.Body, rule));
    }
}
