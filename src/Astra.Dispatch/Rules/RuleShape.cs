using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Astra.Dispatch.Rules;

/// <summary>Finds every unknown field in a rule document at once (System.Text.Json stops at the first).</summary>
internal static class RuleShape
{
    private static readonly ConcurrentDictionary<Type, Dictionary<string, Type>> Shapes = new();

    public static void CheckUnknownFields(JsonObject node, Type type, string prefix, Action<string, string> error)
    {
        var shape = Shapes.GetOrAdd(type, t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .ToDictionary(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name), p => p.PropertyType, StringComparer.Ordinal));
        foreach (var (name, value) in node)
        {
            var path = prefix.Length == 0 ? name : $"{prefix}.{name}";
            if (!shape.TryGetValue(name, out var propertyType))
            {
                error(path, $"unknown field (expected one of: {string.Join(", ", shape.Keys)})");
                continue;
            }
            var inner = Nullable.GetUnderlyingType(propertyType) ?? propertyType;
            if (value is JsonObject child && inner.IsClass && inner != typeof(string) && !inner.IsGenericType)
                CheckUnknownFields(child, inner, path, error);
        }
    }
}
