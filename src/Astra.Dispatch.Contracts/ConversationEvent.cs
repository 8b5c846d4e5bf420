using System.Text.Json;

namespace Astra.Dispatch.Contracts;

/// <summary>
/// Something that happened in an agent conversation, published to the <c>astra.events</c> topic exchange
/// with the event type as routing key.
/// </summary>
public sealed record ConversationEvent
{
    public string EventId { get; init; } = "";
    public string Type { get; init; } = "";
    public DateTimeOffset? OccurredAt { get; init; }
    public string TenantId { get; init; } = "";
    public string? AgentId { get; init; }
    public string? ConversationId { get; init; }
    public JsonElement? Data { get; init; }
    public JsonElement? Metadata { get; init; }
}
