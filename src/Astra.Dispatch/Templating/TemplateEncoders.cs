using System.Text.Encodings.Web;
using Fluid;

namespace Astra.Dispatch.Templating;

/// <summary>How event data is encoded in each part of a request: what a template writes from data never changes the
/// structure around it (the URL's path and query, a JSON body, a form body).</summary>
internal static class TemplateEncoders
{
    /// <summary>URLs: percent-encoded, so data stays one path segment or query value.</summary>
    public static readonly TextEncoder Url = UrlEncoder.Default;

    /// <summary>application/x-www-form-urlencoded bodies: percent-encoded, so data cannot add fields (<c>&amp;</c>, <c>=</c>).</summary>
    public static readonly TextEncoder Form = UrlEncoder.Default;

    public static readonly TextEncoder Json = JsonBodyEncoder.Instance;

    /// <summary>Header values (checked for CR/LF afterwards) and text/plain bodies.</summary>
    public static readonly TextEncoder None = NullEncoder.Default;

    public static TextEncoder ForBody(string contentType) => contentType switch
    {
        "application/json" => Json,
        "application/x-www-form-urlencoded" => Form,
        _ => None,
    };

    public static bool IsPercentEncoding(TextEncoder encoder) => ReferenceEquals(encoder, Url) || ReferenceEquals(encoder, Form);
}
