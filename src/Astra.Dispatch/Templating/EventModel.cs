using System.Text.Json;
using Astra.Dispatch.Contracts;

namespace Astra.Dispatch.Templating;

/// <summary>
/// The view of an event that templates and conditions see: its fields by their JSON names, with
/// <c>data</c> and <c>metadata</c> as plain dictionaries and lists so Liquid can walk them.
/// </summary>
internal static class EventModel
{
    public static Dictionary<string, object?> From(ConversationEvent e, DateTimeOffset occurredAt) => new(StringComparer.Ordinal)
    {
        ["eventId"] = e.EventId,
        ["type"] = e.Type,
        ["occurredAt"] = occurredAt.ToString("O"),
        ["tenantId"] = e.TenantId,
        ["agentId"] = e.AgentId,
        ["conversationId"] = e.ConversationId,
        ["data"] = e.Data is { } data ? ToPlain(data) : new Dictionary<string, object?>(),
        ["metadata"] = e.Metadata is { } metadata ? ToPlain(metadata) : new Dictionary<string, object?>(),
    };

    /// <summary>The event as JSON (with its effective <c>occurredAt</c>), the body of a rule without a body template;
    /// serialized on first use, as most rules have a template.</summary>
    public static Lazy<string> RawJson(ConversationEvent e, DateTimeOffset occurredAt) =>
        new(() => JsonSerializer.Serialize(e with { OccurredAt = occurredAt }, JsonSerializerOptions.Web), LazyThreadSafetyMode.None);

    public static object? ToPlain(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().Aggregate(
            new Dictionary<string, object?>(StringComparer.Ordinal),
            (map, p) => { map[p.Name] = ToPlain(p.Value); return map; }),
        JsonValueKind.Array => element.EnumerateArray().Select(ToPlain).ToList(),
        JsonValueKind.String => element.GetString(),
        // A number beyond decimal (1e400, 30 digits) is valid JSON: kept as its text rather than failing the whole event.
        JsonValueKind.Number => element.TryGetInt64(out var l) ? l : element.TryGetDecimal(out var d) ? d : element.GetRawText(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
