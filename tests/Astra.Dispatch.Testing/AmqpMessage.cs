using System.Text;
using System.Text.Json;
using RabbitMQ.Client;

namespace Astra.Dispatch.Testing;

/// <summary>A message read from RabbitMQ, copied out of the client's buffers. Header strings are decoded from UTF-8.</summary>
public sealed class AmqpMessage
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private AmqpMessage(string exchange, string routingKey, bool redelivered, IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body)
    {
        Exchange = exchange;
        RoutingKey = routingKey;
        Redelivered = redelivered;
        Body = body.ToArray();
        ContentType = properties.ContentType;
        MessageId = properties.MessageId;
        CorrelationId = properties.CorrelationId;
        Type = properties.Type;
        UserId = properties.UserId;
        Persistent = properties.Persistent;
        var headers = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in properties.Headers ?? new Dictionary<string, object?>())
        {
            headers[name] = Decode(value);
        }

        Headers = headers;
    }

    public string Exchange { get; }

    public string RoutingKey { get; }

    public bool Redelivered { get; }

    public byte[] Body { get; }

    public string BodyText => Encoding.UTF8.GetString(Body);

    public string? ContentType { get; }

    public string? MessageId { get; }

    public string? CorrelationId { get; }

    public string? Type { get; }

    /// <summary>The AMQP <c>user_id</c>: the publisher's broker user, when it said so (RabbitMQ checks it).</summary>
    public string? UserId { get; }

    public bool Persistent { get; }

    /// <summary>Case-insensitive. AMQP strings arrive as <see cref="string"/>, numbers and booleans as themselves, tables and arrays recursively decoded.</summary>
    public IReadOnlyDictionary<string, object?> Headers { get; }

    public DateTimeOffset ReceivedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>A header as text, or null when absent.</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value?.ToString() : null;

    public JsonElement Json()
    {
        using var document = JsonDocument.Parse(Body);
        return document.RootElement.Clone();
    }

    /// <summary>Deserializes the body with web defaults (camelCase, case-insensitive).</summary>
    public T? Deserialize<T>(JsonSerializerOptions? options = null) => JsonSerializer.Deserialize<T>(Body, options ?? Web);

    public override string ToString()
    {
        var text = BodyText;
        return $"{Exchange}/{RoutingKey}: {(text.Length > 300 ? text[..300] + "…" : text)}";
    }

    internal static AmqpMessage From(string exchange, string routingKey, bool redelivered, IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body) =>
        new(exchange, routingKey, redelivered, properties, body);

    private static object? Decode(object? value) => value switch
    {
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        IDictionary<string, object?> table => table.ToDictionary(kv => kv.Key, kv => Decode(kv.Value), StringComparer.OrdinalIgnoreCase),
        IList<object?> list => list.Select(Decode).ToList(),
        _ => value,
    };
}
