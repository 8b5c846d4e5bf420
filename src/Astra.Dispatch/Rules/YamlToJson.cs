using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Astra.Dispatch.Rules;

/// <summary>
/// Converts YAML to a JSON tree from the parser's events. Anchors and aliases are refused outright, which
/// rules out alias-expansion bombs; node count and depth are bounded too.
/// </summary>
internal static class YamlToJson
{
    private const int MaxNodes = 200_000;
    private const int MaxDepth = 32;

    public static JsonNode? Convert(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        parser.Consume<StreamStart>();
        if (parser.Accept<StreamEnd>(out _))
            return null;
        parser.Consume<DocumentStart>();
        var nodes = 0;
        var root = ReadNode(parser, 0, ref nodes);
        parser.Consume<DocumentEnd>();
        if (!parser.Accept<StreamEnd>(out _))
            throw new FormatException("a rules file holds one YAML document; use a list for several rules");
        return root;
    }

    private static JsonNode? ReadNode(IParser parser, int depth, ref int nodes)
    {
        if (++nodes > MaxNodes)
            throw new FormatException($"more than {MaxNodes} YAML nodes");
        if (depth > MaxDepth)
            throw new FormatException($"nested deeper than {MaxDepth} levels");
        if (parser.Accept<AnchorAlias>(out var alias))
            throw new FormatException($"YAML aliases are not supported (line {alias.Start.Line})");
        var current = parser.Current;
        if (current is NodeEvent { Anchor.IsEmpty: false } anchored)
            throw new FormatException($"YAML anchors are not supported (line {anchored.Start.Line})");
        switch (current)
        {
            case Scalar scalar:
                parser.MoveNext();
                return ScalarValue(scalar);
            case SequenceStart:
                parser.MoveNext();
                var array = new JsonArray();
                while (!parser.TryConsume<SequenceEnd>(out _))
                    array.Add(ReadNode(parser, depth + 1, ref nodes));
                return array;
            case MappingStart:
                parser.MoveNext();
                var obj = new JsonObject();
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    var key = parser.Consume<Scalar>().Value;
                    var value = ReadNode(parser, depth + 1, ref nodes);
                    if (!obj.TryAdd(key, value))
                        throw new FormatException($"duplicate key '{key}'");
                }
                return obj;
            default:
                throw new FormatException($"unexpected YAML at line {current?.Start.Line}");
        }
    }

    private static JsonValue? ScalarValue(Scalar scalar)
    {
        if (scalar.Style is ScalarStyle.Plain)
        {
            switch (scalar.Value)
            {
                case "" or "~" or "null" or "Null" or "NULL":
                    return null;
                case "true" or "True" or "TRUE":
                    return JsonValue.Create(true);
                case "false" or "False" or "FALSE":
                    return JsonValue.Create(false);
            }
        }
        return JsonValue.Create(scalar.Value.ToString(CultureInfo.InvariantCulture));
    }
}
