using System.Text;
using System.Text.Json.Nodes;
using Astra.Dispatch.Contracts;
using RabbitMQ.Client;

namespace Astra.Dispatch.Cli.DeadLetters;

/// <summary>A message in an error queue, read without consuming it.</summary>
internal sealed record DeadLetter
{
    public int Position { get; init; }
    public string Id { get; init; } = "";
    public string? MessageId { get; init; }
    public string? DeliveryId { get; init; }
    public string? EventId { get; init; }
    public string? RuleId { get; init; }
    public string? Reason { get; init; }
    public DateTimeOffset? FailedAt { get; init; }
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    public string Body { get; init; } = "";

    public bool HasId(string id) => id == Id || id == MessageId || id == DeliveryId || id == EventId;

    public static DeadLetter From(int position, IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body)
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
