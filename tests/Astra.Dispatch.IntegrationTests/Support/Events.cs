using System.Text.Json;

namespace Astra.Dispatch.IntegrationTests.Support;

/// <summary>Conversation events as an agent runtime publishes them (raw JSON).</summary>
internal static class Events
{
    public static string Lead(string tenant, string? eventId = null, string type = "lead.captured", string? agentId = null, object? data = null) =>
        JsonSerializer.Serialize(new
        {
            eventId = eventId ?? "evt_" + Guid.NewGuid().ToString("N"),
            type,
            occurredAt = DateTimeOffset.UtcNow,
            tenantId = tenant,
            agentId,
            conversationId = "conv_123",
            data = data ?? new { name = "Ada \"Countess\" Lovelace", email = "ada@example.com", score = 87 },
        });

    public static string Id(string json) => JsonDocument.Parse(json).RootElement.GetProperty("eventId").GetString()!;
}
