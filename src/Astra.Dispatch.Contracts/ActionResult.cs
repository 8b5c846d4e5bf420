using System.Text.Json;

namespace Astra.Dispatch.Contracts;

/// <summary>Fields shared by <see cref="ActionSucceeded"/> and <see cref="ActionFailed"/> (the results contract).</summary>
public abstract record ActionResult
{
    /// <summary>The delivery id (also sent as <c>webhook-id</c> and <c>Idempotency-Key</c>).</summary>
    public string DeliveryId { get; init; } = "";

    /// <summary>The event that matched.</summary>
    public string EventId { get; init; } = "";

    /// <summary>The rule that matched.</summary>
    public string RuleId { get; init; } = "";

    /// <summary>The tenant of the event and the rule.</summary>
    public string TenantId { get; init; } = "";

    /// <summary>The agent of the event, when it named one.</summary>
    public string? AgentId { get; init; }

    /// <summary>The conversation of the event, when it named one.</summary>
    public string? ConversationId { get; init; }

    /// <summary><see cref="DeliveryStatus.Succeeded"/> or <see cref="DeliveryStatus.Failed"/>.</summary>
    public string Status { get; init; } = "";

    /// <summary>Attempts made (0 when the rule could not render the event).</summary>
    public int Attempts { get; init; }

    /// <summary>The last HTTP status, when there was an answer.</summary>
    public int? HttpStatus { get; init; }

    /// <summary>Duration of the last attempt.</summary>
    public double DurationMs { get; init; }

    /// <summary>Why it failed (never a secret).</summary>
    public string? Error { get; init; }

    /// <summary>A JSON excerpt of the response (at most 4 KiB), only for rules with <c>captureResponse: true</c>.</summary>
    public JsonElement? Response { get; init; }
}
