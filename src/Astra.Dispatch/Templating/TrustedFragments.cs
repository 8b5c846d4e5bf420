using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using Fluid;
using Fluid.Values;

namespace Astra.Dispatch.Templating;

/// <summary>
/// The few unencoded strings that may be written as they are: the output of our <c>json</c> filter (one whole JSON
/// value) in a JSON body, of our <c>url_encode</c> filter (percent-encoded already) in a URL or form body, and a
/// <c>capture</c> block's text in the render that captured it (its data was encoded by that render's encoder).
/// Fluid also leaves <c>raw</c>, <c>escape</c>, string filters applied to any of these, and array items unencoded;
/// <see cref="GuardedValue"/> encodes all of those. A fragment is known by its instance: <c>StringValue.Create(s, false)</c>
/// always makes a new one, and a filter that changes the text makes another, which is then not trusted.
/// </summary>
internal static class TrustedFragments
{
    private static readonly object Json = new();
    private static readonly object PercentEncoded = new();

    // Weak keys: a fragment is forgotten with its value, so a loop that builds many cannot grow this table.
    private static readonly ConditionalWeakTable<FluidValue, object> Kinds = [];

    public static FluidValue JsonValue(string json) => Mark(json, Json);

    public static FluidValue UrlEncoded(string text) => Mark(text, PercentEncoded);

    /// <summary>The <c>Captured</c> callback: a captured block is trusted in the encoder it was rendered with.</summary>
    public static ValueTask<FluidValue> OnCaptured(string identifier, FluidValue value, TemplateContext context)
    {
        RenderContext.CheckAllocations(context);
        if (value is StringValue { Encode: false } && context is RenderContext { Encoder: { } encoder })
            Kinds.AddOrUpdate(value, encoder);
        return ValueTask.FromResult(value);
    }

    /// <summary>True when <paramref name="value"/> may be written to <paramref name="encoder"/>'s output without encoding.</summary>
    public static bool IsTrusted(FluidValue value, TextEncoder encoder)
    {
        if (value is not StringValue { Encode: false } || !Kinds.TryGetValue(value, out var kind))
            return false;
        if (ReferenceEquals(kind, Json))
            return ReferenceEquals(encoder, TemplateEncoders.Json);
        if (ReferenceEquals(kind, PercentEncoded))
            return TemplateEncoders.IsPercentEncoding(encoder);
        return ReferenceEquals(kind, encoder);
    }

    private static FluidValue Mark(string text, object kind)
    {
        var value = StringValue.Create(text, encode: false);
        Kinds.AddOrUpdate(value, kind);
        return value;
    }
}
