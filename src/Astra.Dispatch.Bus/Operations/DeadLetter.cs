using System.Text;
using System.Text.Json.Nodes;
using Astra.Dispatch.Contracts;
using RabbitMQ.Client;

namespace Astra.Dispatch.Bus.Operations;

/// <summary>A message in an error queue, read without consuming it. Headers, reason and body are as stored: redact before showing them.</summary>
public sealed record DeadLetter
{
    /// <summary>1 for the message at the head of the queue.</summary>
    public int Position { get; init; }
    /// <summary>The delivery id, else the event id, else the message id, else <c>#position</c>.</summary>
    public string Id { get; init; } = "";
    /// <summary>The AMQP message id.</summary>
    public string? MessageId { get; init; }
    /// <summary>The delivery, for a send command.</summary>
    public string? DeliveryId { get; init; }
    /// <summary>The event.</summary>
    public string? EventId { get; init; }
    /// <summary>The rule, for a send command.</summary>
    public string? RuleId { get; init; }
    /// <summary>The tenant (header <c>astra-tenant-id</c>, else the body's <c>tenantId</c>); null when it cannot be told (a body that is not JSON).</summary>
    public string? TenantId { get; init; }
    /// <summary>Why it was dead-lettered.</summary>
    public string? Reason { get; init; }
    /// <summary>When it failed.</summary>
    public DateTimeOffset? FailedAt { get; init; }
    /// <summary>Its AMQP headers as text.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    /// <summary>Its body as text.</summary>
    public string Body { get; init; } = "";

    /// <summary>Whether <paramref name="id"/> names it (delivery, event or message id, as lists show them).</summary>
    public bool HasId(string id) => id == Id || id == MessageId || id == DeliveryId || id == EventId;

    internal static DeadLetter From(int position, IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body)
    {
        var headers = (properties.Headers ?? new Dictionary<string, object?>())
            .ToDictionary(h => h.Key, h => HeaderText(h.Value), StringComparer.Ordinal);
        var text = Encoding.UTF8.GetString(body.Span);
        JsonObject? message = null;
        try
        {
            var root = JsonNode.Parse(text) as JsonObject;
            // A MassTransit envelope wraps the message; raw JSON (events from any AMQP client) is the message.
            message = root?["message"] as JsonObject ?? root;
        }
        catch (System.Text.Json.JsonException)
        {
        }
        var deliveryId = headers.GetValueOrDefault(BusHeaders.DeliveryId) ?? Str(message, "deliveryId");
        var eventId = Str(message, "eventId");
        var failedAt = DateTimeOffset.TryParse(headers.GetValueOrDefault(BusHeaders.FaultTimestamp), System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : properties.IsTimestampPresent() ? DateTimeOffset.FromUnixTimeSeconds(properties.Timestamp.UnixTime) : (DateTimeOffset?)null;
        return new DeadLetter
        {
            Position = position,
            Id = deliveryId ?? eventId ?? properties.MessageId ?? $"#{position}",
            MessageId = properties.MessageId,
            DeliveryId = deliveryId,
            EventId = eventId,
            RuleId = headers.GetValueOrDefault(BusHeaders.RuleId) ?? Str(message, "ruleId"),
            TenantId = headers.GetValueOrDefault(BusHeaders.TenantId) is { Length: > 0 } tenant ? tenant : Str(message, "tenantId"),
            Reason = headers.GetValueOrDefault(BusHeaders.LastError) ?? headers.GetValueOrDefault(BusHeaders.FaultMessage) ?? headers.GetValueOrDefault(BusHeaders.Reason),
            FailedAt = failedAt,
            Headers = headers,
            Body = text,
        };
    }

    private static string? Str(JsonObject? obj, string name) =>
        obj?[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    internal static string HeaderText(object? value) => value switch
    {
        null => "",
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        AmqpTimestamp ts => DateTimeOffset.FromUnixTimeSeconds(ts.UnixTime).ToString("O"),
        IEnumerable<object?> list when value is not string => "[" + string.Join(", ", list.Select(HeaderText)) + "]",
        IDictionary<string, object?> map => "{" + string.Join(", ", map.Select(kv => $"{kv.Key}: {HeaderText(kv.Value)}")) + "}",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}
