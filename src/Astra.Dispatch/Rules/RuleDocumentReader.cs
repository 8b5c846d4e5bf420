using System.Text.Json;
using System.Text.Json.Nodes;

namespace Astra.Dispatch.Rules;

/// <summary>
/// Reads rules files (YAML or JSON: one rule, a list, or <c>{ rules: [...] }</c>) into definitions, reporting
/// unknown fields and wrong types with the file, rule id and field path.
/// </summary>
internal static class RuleDocumentReader
{
    public const long MaxFileBytes = 4 * 1024 * 1024;

    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        MaxDepth = 32,
    };

    // After unknown fields have been reported, the rest of the rule is still read and checked, so a file's every error
    // is listed at once (the compiled rule is never used: the errors already refuse the file).
    private static readonly JsonSerializerOptions LenientOptions = new(JsonOptions)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip,
    };

    /// <summary>Files a rules path stands for: the file itself, or the *.yaml/*.yml/*.json files of a folder.</summary>
    public static IReadOnlyList<string> FilesOf(string path) => Directory.Exists(path)
        ? [.. Directory.EnumerateFiles(path).Where(IsRulesFile).Order(StringComparer.Ordinal)]
        : [path];

    public static bool IsRulesFile(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".yaml" or ".yml" or ".json";

    public static List<RuleDefinition> ReadFile(string path, List<RuleError> errors)
    {
        var source = Path.GetFileName(path);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            errors.Add(new RuleError(source, "", "", $"file not found ({path})"));
            return [];
        }
        if (info.Length > MaxFileBytes)
        {
            errors.Add(new RuleError(source, "", "", $"file is {info.Length} bytes; the limit is {MaxFileBytes}"));
            return [];
        }
        return Read(File.ReadAllText(path), source, errors);
    }

    public static List<RuleDefinition> Read(string text, string source, List<RuleError> errors)
    {
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            errors.Add(new RuleError(source, "", "", "contains NUL characters; a rules file is YAML or JSON text"));
            return [];
        }
        JsonNode? root;
        try
        {
            root = source.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
                ? JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 32, AllowDuplicateProperties = false })
                : YamlToJson.Convert(text);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or YamlDotNet.Core.YamlException)
        {
            errors.Add(new RuleError(source, "", "", $"cannot be parsed: {ex.Message}"));
            return [];
        }

        var items = root switch
        {
            JsonArray list => list,
            JsonObject obj when obj["rules"] is JsonArray list => list,
            JsonObject obj when obj.ContainsKey("id") => new JsonArray(obj.DeepClone()),
            null => [],
            _ => null,
        };
        if (items is null)
        {
            errors.Add(new RuleError(source, "", "", "expected a rule, a list of rules, or an object with a 'rules' list"));
            return [];
        }

        var rules = new List<RuleDefinition>();
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not JsonObject item)
            {
                errors.Add(new RuleError(source, "", $"rules[{i}]", "is not an object"));
                continue;
            }
            var id = item["id"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : $"rules[{i}]";
            var before = errors.Count;
            RuleShape.CheckUnknownFields(item, typeof(RuleDefinition), "", (path, message) => errors.Add(new RuleError(source, id, path, message)));
            try
            {
                if (item.Deserialize<RuleDefinition>(errors.Count > before ? LenientOptions : JsonOptions) is { } rule)
                    rules.Add(rule);
            }
            catch (JsonException ex)
            {
                errors.Add(new RuleError(source, id, ex.Path?.TrimStart('$', '.') ?? "", $"has the wrong type: {ex.Message.Split(" Path:")[0]}"));
            }
        }
        return rules;
    }
}
