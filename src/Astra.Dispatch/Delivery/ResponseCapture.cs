using System.Text.Json;
using System.Text.Json.Nodes;
using Astra.Dispatch.Rules;

namespace Astra.Dispatch.Delivery;

/// <summary>
/// The <c>response</c> of <c>action.succeeded</c> for rules with <c>captureResponse: true</c>: the JSON body (or
/// the fields picked by <c>responseMap</c>) when it fits in 4 KiB, else a string excerpt.
/// </summary>
internal static class ResponseCapture
{
    public const int MaxBytes = 4096;

    public static JsonElement? Build(RuleDefinition rule, string? body)
    {
        if (!rule.CaptureResponse || string.IsNullOrEmpty(body))
            return null;
        JsonNode? parsed = null;
        try
        {
            parsed = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException)
        {
            // Not JSON: fall through to a string excerpt.
        }
        if (parsed is not null && rule.ResponseMap is { Count: > 0 } map)
        {
            var picked = new JsonObject();
            foreach (var (name, path) in map)
                picked[name] = Pick(parsed, path)?.DeepClone();
            parsed = picked;
        }
        var json = parsed?.ToJsonString();
        if (json is null || json.Length > MaxBytes)
            json = JsonSerializer.Serialize(body.Length > MaxBytes ? body[..MaxBytes] : body);
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    /// <summary>A dotted path with optional indexes: <c>data.id</c>, <c>items[0].id</c>.</summary>
    public static JsonNode? Pick(JsonNode? node, string path)
    {
        foreach (var segment in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = segment;
            var index = -1;
            if (segment.EndsWith(']') && segment.IndexOf('[', StringComparison.Ordinal) is var open and > 0
                && int.TryParse(segment[(open + 1)..^1], out var i))
            {
                name = segment[..open];
                index = i;
            }
            node = node is JsonObject obj ? obj[name] : null;
            if (index >= 0)
                node = node is JsonArray array && index < array.Count ? array[index] : null;
            if (node is null)
                return null;
        }
        return node;
    }
}
