using System.Text;
using System.Text.Json;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Matching;
using MassTransit.Serialization;

namespace Astra.Dispatch.Tests.Matching;

/// <summary>
/// Malformed event bodies through the same path the worker uses (MassTransit's System.Text.Json options, then
/// <see cref="EventValidator"/>): each must end in a JsonException or a validation reason, never anything else.
/// </summary>
public sealed class EventFuzzTests
{
    private const string ValidEvent = """{"eventId":"evt_1","type":"lead.captured","occurredAt":"2026-11-29T10:15:00Z","tenantId":"acme","agentId":"sales","conversationId":"c1","data":{"name":"Ada","score":87}}""";

    [Fact]
    public void Validate_ValidEvent_Accepted() => Assert.Null(Classify(Encoding.UTF8.GetBytes(ValidEvent)));

    [Fact]
    public void Validate_ThousandsOfMalformedEvents_EachRejectedWithAClearReason()
    {
        var bodies = MalformedBodies(new Random(20261129)).ToList();
        Assert.True(bodies.Count >= 1000, $"only {bodies.Count} bodies generated");
        var accepted = new List<string>();
        foreach (var body in bodies)
        {
            var reason = Classify(body);
            if (reason is null)
                accepted.Add(Encoding.UTF8.GetString(body[..Math.Min(body.Length, 200)]));
            else
                Assert.False(string.IsNullOrWhiteSpace(reason));
        }
        Assert.Empty(accepted);
    }

    /// <summary>Null when the event is accepted; otherwise the reason. Any exception but JsonException fails the test.</summary>
    private static string? Classify(byte[] body)
    {
        ConversationEvent? e;
        try
        {
            e = JsonSerializer.Deserialize<ConversationEvent>(body, SystemTextJsonMessageSerializer.Options);
        }
        catch (JsonException ex)
        {
            return "not valid JSON: " + ex.Message;
        }
        return EventValidator.Validate(e, body.Length);
    }

    private static IEnumerable<byte[]> MalformedBodies(Random random)
    {
        var valid = Encoding.UTF8.GetBytes(ValidEvent);
        // Random bytes, including invalid UTF-8.
        for (var i = 0; i < 400; i++)
        {
            var bytes = new byte[random.Next(0, 300)];
            random.NextBytes(bytes);
            yield return bytes;
        }
        // Truncated JSON at every cut point.
        for (var cut = 0; cut < valid.Length - 1; cut++)
            yield return valid[..cut];
        // Wrong types for each field.
        string[] notStrings = ["123", "true", "[]", "[1,2]", "{}", "{\"a\":1}", "1.5e300", "-0"];
        foreach (var field in new[] { "eventId", "type", "tenantId", "agentId", "conversationId" })
        {
            foreach (var value in notStrings)
                yield return WithField(field, value);
        }
        foreach (var value in new[] { "\"not-a-date\"", "\"2026-13-45T99:00:00Z\"", "123", "true", "[]", "{}" })
            yield return WithField("occurredAt", value);
        foreach (var value in new[] { "123", "true", "false", "[]", "[1,2]", "\"a string\"", "1.5e300" })
            yield return WithField("data", value);
        // Missing or empty required fields, bad type names, over-long ids.
        foreach (var field in new[] { "eventId", "type", "tenantId" })
        {
            yield return Encoding.UTF8.GetBytes(ValidEvent.Replace($"\"{field}\":", $"\"x{field}\":", StringComparison.Ordinal));
            yield return WithField(field, "\"\"");
            yield return WithField(field, "null");
            yield return WithField(field, JsonSerializer.Serialize(new string('a', 201)));
        }
        foreach (var type in new[] { "Lead.Captured", "lead captured", "lead/captured", "léad", "lead.*", "a\nb", "" })
            yield return WithField("type", JsonSerializer.Serialize(type));
        // Not an object at the top.
        foreach (var top in new[] { "null", "[]", "[{}]", "42", "\"event\"", "true", "" })
            yield return Encoding.UTF8.GetBytes(top);
        // Deep nesting in data (beyond the serializer's depth limit) and at the top.
        foreach (var depth in new[] { 65, 100, 1000, 10_000 })
        {
            yield return WithField("data", new string('[', depth) + new string(']', depth));
            yield return Encoding.UTF8.GetBytes(new string('{', depth));
        }
        // Huge strings (over the 1 MiB event limit) and a huge body of whitespace.
        yield return WithField("data", "{\"big\":" + JsonSerializer.Serialize(new string('x', 1_100_000)) + "}");
        yield return WithField("eventId", JsonSerializer.Serialize(new string('y', 1_100_000)));
        yield return Encoding.UTF8.GetBytes(new string(' ', 1_100_000) + ValidEvent);
        // Invalid UTF-8 inside strings and lone surrogate escapes.
        foreach (var bad in new byte[][] { [0xC3], [0xFF, 0xFE], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xC0, 0xAF] })
        {
            var prefix = Encoding.UTF8.GetBytes("{\"eventId\":\"evt");
            var suffix = Encoding.UTF8.GetBytes("\",\"type\":\"a\",\"tenantId\":\"t\"}");
            yield return [.. prefix, .. bad, .. suffix];
        }
        // Random single-byte corruption of the valid event, kept only where it breaks a structural character.
        var structural = "{}[]:,\""u8.ToArray();
        for (var i = 0; i < 500; i++)
        {
            var copy = (byte[])valid.Clone();
            var at = random.Next(copy.Length);
            if (!structural.Contains(copy[at]))
            {
                i--;
                continue;
            }
            copy[at] = (byte)(copy[at] == (byte)'{' ? '[' : copy[at] == (byte)'"' ? '\'' : '#');
            yield return copy;
        }
    }

    private static byte[] WithField(string field, string rawValue)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(ValidEvent)!.AsObject();
        node.Remove(field);
        var json = node.ToJsonString();
        // Insert the raw value text as is, so deliberately invalid JSON stays invalid.
        return Encoding.UTF8.GetBytes(json[..^1] + $",\"{field}\":{rawValue}}}");
    }
}
