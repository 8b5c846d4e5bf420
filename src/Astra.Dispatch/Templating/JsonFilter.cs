using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Fluid;
using Fluid.Values;

namespace Astra.Dispatch.Templating;

/// <summary>
/// <c>{{ value | json }}</c>: always emits one valid JSON value, whatever the input (strings are quoted and
/// escaped, nil becomes <c>null</c>, objects and arrays are serialized recursively). In a JSON body it is written
/// as it is; anywhere else it is encoded like any other value (see <see cref="TrustedFragments"/>).
/// </summary>
internal static class JsonFilter
{
    private const int MaxDepth = 64;
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static ValueTask<FluidValue> Apply(FluidValue input, FilterArguments arguments, TemplateContext context)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            Write(writer, input, context, depth: 0);
        return ValueTask.FromResult(TrustedFragments.JsonValue(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length)));
    }

    private static void Write(Utf8JsonWriter writer, FluidValue value, TemplateContext context, int depth)
    {
        // An array may hold the same large string thousands of times: the output limit applies while writing, not after.
        context.EnsureOutputSize(writer.BytesCommitted + writer.BytesPending);
        if (depth > MaxDepth)
        {
            writer.WriteNullValue();
            return;
        }
        switch (value)
        {
            case NilValue or EmptyValue or BlankValue:
                writer.WriteNullValue();
                break;
            case BooleanValue b:
                writer.WriteBooleanValue(b.ToBooleanValue(context));
                break;
            case NumberValue n:
                writer.WriteRawValue(n.ToNumberValue(context).ToString(CultureInfo.InvariantCulture), skipInputValidation: true);
                break;
            case StringValue s:
                writer.WriteStringValue(s.ToStringValue(context));
                break;
            case ArrayValue a:
                writer.WriteStartArray();
                foreach (var item in a.Values)
                    Write(writer, item, context, depth + 1);
                writer.WriteEndArray();
                break;
            default:
                WriteObject(writer, value.ToObjectValue(context), context, depth);
                break;
        }
    }

    private static void WriteObject(Utf8JsonWriter writer, object? value, TemplateContext context, int depth)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case IFluidIndexable indexable:
                // Event data arrives as dictionaries, which Fluid wraps as indexables: walk their keys.
                writer.WriteStartObject();
                foreach (var key in indexable.Keys)
                {
                    writer.WritePropertyName(key);
                    Write(writer, indexable.TryGetValue(key, out var item) ? item : NilValue.Instance, context, depth + 1);
                }
                writer.WriteEndObject();
                break;
            case IDictionary<string, object?> map:
                writer.WriteStartObject();
                foreach (var (key, item) in map)
                {
                    writer.WritePropertyName(key);
                    Write(writer, FluidValue.Create(item, context.Options), context, depth + 1);
                }
                writer.WriteEndObject();
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }
}
