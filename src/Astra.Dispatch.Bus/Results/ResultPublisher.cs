using Astra.Dispatch.Contracts;
using MassTransit;

namespace Astra.Dispatch.Bus.Results;

/// <summary>
/// Publishes outcomes to <c>astra.action-results</c> as plain JSON (no MassTransit envelope), so any AMQP consumer of
/// the agent runtime can read them, with the trace context of the attempt that produced them, and the tenant and agent
/// as headers so a consumer can filter without reading bodies.
/// </summary>
internal static class ResultPublisher
{
    public static Task PublishResultAsync(this IPublishEndpoint endpoint, ActionResult result, CancellationToken cancellationToken) =>
        result switch
        {
            ActionSucceeded succeeded => endpoint.Publish(succeeded, send => Prepare(send, result.TenantId, result.AgentId), cancellationToken),
            ActionFailed failed => endpoint.Publish(failed, send => Prepare(send, result.TenantId, result.AgentId), cancellationToken),
            _ => throw new ArgumentException($"not a result contract: {result.GetType().Name}", nameof(result)),
        };

    public static Task PublishResultAsync(this IPublishEndpoint endpoint, RulePaused paused, CancellationToken cancellationToken) =>
        endpoint.Publish(paused, send => Prepare(send, paused.TenantId, null), cancellationToken);

    private static void Prepare(SendContext send, string tenantId, string? agentId)
    {
        send.UseRawJson();
        send.SetFromCurrentSpan();
        send.Durable = true;
        send.Headers.Set(BusHeaders.TenantId, tenantId);
        if (agentId is not null)
            send.Headers.Set(BusHeaders.AgentId, agentId);
    }
}
