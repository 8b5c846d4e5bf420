using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Astra.Dispatch.Console.Web;

/// <summary>
/// Rules as people read and edit them: the stored definition (JSON) as YAML, multi-line templates as literal blocks,
/// and the way back from a validation error's field path (<c>request.headers.X-Source</c>, <c>trigger.events[1]</c>) to
/// the line of the YAML it is about.
/// </summary>
internal static partial class RuleYaml
{
    /// <summary>The definition as YAML, without the fields left empty.</summary>
    public static string From(string definitionJson, bool? enabled = null)
    {
        var node = JsonNode.Parse(definitionJson) as JsonObject ?? new JsonObject();
        if (enabled is { } on)
            node["enabled"] = on;
        var stream = new YamlStream(new YamlDocument(ToYaml(node)!));
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        stream.Save(writer, assignAnchors: false);
        var text = writer.ToString();
        // YamlDotNet ends a document with "...": the editor's text is one rule, nothing more.
        return Regex.Replace(text, @"\r?\n\.\.\.\r?\n?$", "\n");
    }

    private static YamlNode? ToYaml(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => Mapping(obj),
        JsonArray array => new YamlSequenceNode(array.Select(ToYaml).OfType<YamlNode>()),
        JsonValue value => Scalar(value),
        _ => null,
    };

    private static YamlMappingNode Mapping(JsonObject obj)
    {
        var mapping = new YamlMappingNode();
        foreach (var (key, value) in obj)
        {
            if (value is null || value is JsonArray { Count: 0 } || value is JsonObject { Count: 0 })
                continue;
            if (value is JsonValue v && v.GetValueKind() == JsonValueKind.False && key is "captureResponse")
                continue;
            if (ToYaml(value) is { } child)
                mapping.Add(new YamlScalarNode(key), child);
        }
        return mapping;
    }

    private static YamlScalarNode Scalar(JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                var text = value.GetValue<string>();
                var style = text.Contains('\n', StringComparison.Ordinal) ? ScalarStyle.Literal
                    : LooksTyped(text) ? ScalarStyle.DoubleQuoted
                    : ScalarStyle.Any;
                // A literal block keeps the text as written, but YAML cannot keep trailing spaces on its lines.
                if (style == ScalarStyle.Literal && Regex.IsMatch(text, @"[ \t]\r?\n|[ \t]$"))
                    style = ScalarStyle.DoubleQuoted;
                return new YamlScalarNode(text) { Style = style };
            case JsonValueKind.True:
                return new YamlScalarNode("true") { Style = ScalarStyle.Plain };
            case JsonValueKind.False:
                return new YamlScalarNode("false") { Style = ScalarStyle.Plain };
            default:
                return new YamlScalarNode(value.ToJsonString()) { Style = ScalarStyle.Plain };
        }
    }

    // Strings that a plain scalar would turn into another type (or YAML would misread) are quoted.
    private static bool LooksTyped(string text) =>
        text.Length == 0 || TypedPattern().IsMatch(text) || text.Trim() != text || "{[&*!|>'\"%@`#,?:-".Contains(text[0], StringComparison.Ordinal)
        || text.Contains(": ", StringComparison.Ordinal) || text.Contains(" #", StringComparison.Ordinal);

    [GeneratedRegex(@"^(?:true|false|yes|no|on|off|null|~|[-+]?(?:\d[\d_]*)?(?:\.\d*)?(?:[eE][-+]?\d+)?|0x[0-9a-fA-F]+|0o[0-7]+|\.inf|\.nan)$", RegexOptions.IgnoreCase)]
    private static partial Regex TypedPattern();

    /// <summary>
    /// The 1-based line of <paramref name="yaml"/> that a field path names (the deepest part of the path found), or null
    /// when the text does not parse or the path is the whole document.
    /// </summary>
    public static int? LineOf(string yaml, string field)
    {
        if (field is "" or "$")
            return null;
        YamlNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count == 0)
                return null;
            root = stream.Documents[0].RootNode;
        }
        catch (YamlException ex)
        {
            // A parse error's own position is the best line there is.
            return field == "$" ? (int)ex.Start.Line : null;
        }
        int? line = null;
        var node = root;
        foreach (var segment in Segments(field))
        {
            YamlNode? next = null;
            YamlNode? keyNode = null;
            if (segment.Index is { } index)
            {
                if (node is YamlSequenceNode sequence && index < sequence.Children.Count)
                    next = sequence.Children[index];
            }
            else if (node is YamlMappingNode mapping)
            {
                foreach (var (key, value) in mapping.Children)
                {
                    if (key is YamlScalarNode { Value: { } name } && string.Equals(name, segment.Name, StringComparison.OrdinalIgnoreCase))
                    {
                        keyNode = key;
                        next = value;
                        break;
                    }
                }
            }
            if (next is null)
                break;
            // A block scalar's own line is its indicator; the key's line is where people look.
            line = (int)(keyNode ?? next).Start.Line;
            if (keyNode is not null && next is not YamlScalarNode)
                line = (int)keyNode.Start.Line;
            node = next;
        }
        return line;
    }

    private static IEnumerable<(string? Name, int? Index)> Segments(string field)
    {
        foreach (Match m in SegmentPattern().Matches(field))
        {
            if (m.Groups["index"].Success)
                yield return (null, int.Parse(m.Groups["index"].Value, CultureInfo.InvariantCulture));
            else
                yield return (m.Groups["name"].Value, null);
        }
    }

    [GeneratedRegex(@"\[(?<index>\d+)\]|(?<name>[^.\[\]]+)")]
    private static partial Regex SegmentPattern();
}
