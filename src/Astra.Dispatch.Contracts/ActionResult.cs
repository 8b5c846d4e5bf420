using System.Text.Json;

namespace Astra.Dispatch.Contracts;

/// <summary>Fields shared by <see cref="ActionSucceeded"/> and <see cref="ActionFailed"/> (the results contract).</summary>
public abstract record ActionResult
{
    public string DeliveryId { get; init; } = "";
    public string EventId { get; init; } = "";
    public string RuleId { get; init; } = "";
    public string TenantId { get; init; } = "";
    public string? AgentId { get; init; }
    public string? ConversationId { get; init; }
    public string Status { get; init; } = "";
    public int Attempts { get; init; }
    public int? HttpStatus { get; init; }
    public double DurationMs { get; init; }
    public string? Error { get; init; }
    public JsonElement? Response { get; init; }
}
