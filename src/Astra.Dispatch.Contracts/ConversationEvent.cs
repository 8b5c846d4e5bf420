using System.Text.Json;

namespace Astra.Dispatch.Contracts;

/// <summary>
/// Something that happened in an agent conversation, published to the <c>astra.events</c> topic exchange
/// with the event type as routing key.
/// </summary>
public sealed record ConversationEvent
{
    /// <summary>Unique per event (1–200 characters); the same id published twice makes the same deliveries.</summary>
    public string EventId { get; init; } = "";

    /// <summary>The event type, e.g. <c>lead.captured</c> (1–200 characters of <c>[a-z0-9_.-]</c>).</summary>
    public string Type { get; init; } = "";

    /// <summary>When it happened; the receive time when absent.</summary>
    public DateTimeOffset? OccurredAt { get; init; }

    /// <summary>The tenant the event belongs to: only that tenant's rules see it.</summary>
    public string TenantId { get; init; } = "";

    /// <summary>The agent that held the conversation.</summary>
    public string? AgentId { get; init; }

    /// <summary>The conversation.</summary>
    public string? ConversationId { get; init; }

    /// <summary>The event's data (a JSON object), what templates render from.</summary>
    public JsonElement? Data { get; init; }

    /// <summary>Free-form metadata (a JSON object).</summary>
    public JsonElement? Metadata { get; init; }
}
