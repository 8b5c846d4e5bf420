using System.Text.Json;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;

namespace Astra.Dispatch.Dispatching;

/// <summary>Builds the result events of the results contract, from a command or, when rendering failed, from the event.</summary>
internal static class DeliveryResults
{
    public static T From<T>(SendHttpAction action, int attempts, AttemptOutcome? outcome, string? error = null, JsonElement? response = null)
        where T : ActionResult, new() =>
        Create<T>(action.DeliveryId, action.EventId, action.RuleId, action.TenantId, action.AgentId, action.ConversationId, attempts, outcome,
            error ?? outcome?.Error, response);

    /// <summary>No command was made: the rule's templates could not render this event.</summary>
    public static ActionFailed RenderFailed(ConversationEvent e, string ruleId, string deliveryId, string error) =>
        Create<ActionFailed>(deliveryId, e.EventId, ruleId, e.TenantId, e.AgentId, e.ConversationId, 0, null, error, null);

    private static T Create<T>(string deliveryId, string eventId, string ruleId, string tenantId, string? agentId, string? conversationId,
        int attempts, AttemptOutcome? outcome, string? error, JsonElement? response)
        where T : ActionResult, new() => new()
    {
        DeliveryId = deliveryId,
        EventId = eventId,
        RuleId = ruleId,
        TenantId = tenantId,
        AgentId = agentId,
        ConversationId = conversationId,
        Status = typeof(T) == typeof(ActionSucceeded) ? DeliveryStatus.Succeeded : DeliveryStatus.Failed,
        Attempts = attempts,
        HttpStatus = outcome?.StatusCode,
        DurationMs = outcome?.Duration.TotalMilliseconds ?? 0,
        Error = error,
        Response = response,
    };
}
