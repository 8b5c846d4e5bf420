using System.Text;
using System.Text.Json.Nodes;
using Astra.Dispatch.Contracts;
using RabbitMQ.Client;

namespace Astra.Dispatch.Bus.Operations;

/// <summary>
/// Makes a dead letter look new, so a redriven message gets its full retry schedule: MassTransit reads its
/// redelivery count from the AMQP headers and from the envelope's <c>headers</c> object, so both are cleaned
/// (see shared/notes/masstransit-delayed-redelivery.md, sections 3 and 5).
/// </summary>
internal static class RedriveCleaner
{
    public static bool IsFaultHeader(string name) =>
        name.Equals(BusHeaders.RedeliveryCount, StringComparison.OrdinalIgnoreCase)
        || name.Equals(BusHeaders.Reason, StringComparison.OrdinalIgnoreCase)
        || name.StartsWith(BusHeaders.FaultPrefix, StringComparison.OrdinalIgnoreCase)
        || name.Equals("x-death", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("x-first-death-", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("x-last-death-", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith(BusHeaders.Prefix, StringComparison.OrdinalIgnoreCase);

    public static BasicProperties Properties(IReadOnlyBasicProperties original)
    {
        var properties = new BasicProperties(original)
        {
            Persistent = true,
            Expiration = null,
            // The CLI may not publish as another broker user (RabbitMQ refuses it), and must not lend its own to a
            // redriven event: under Dispatch:Tenancy:Publishers that would launder an event refused for its publisher.
            UserId = null,
        };
        if (original.Headers is { } headers)
            properties.Headers = headers.Where(h => !IsFaultHeader(h.Key)).ToDictionary(h => h.Key, h => h.Value);
        return properties;
    }

    public static ReadOnlyMemory<byte> Body(ReadOnlyMemory<byte> body)
    {
        JsonObject? root;
        try
        {
            root = JsonNode.Parse(Encoding.UTF8.GetString(body.Span)) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return body;
        }
        if (root?["headers"] is not JsonObject envelopeHeaders || root["message"] is null)
            return body;
        var stale = envelopeHeaders.Select(h => h.Key).Where(IsFaultHeader).ToList();
        if (stale.Count == 0)
            return body;
        foreach (var name in stale)
            envelopeHeaders.Remove(name);
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }
}
