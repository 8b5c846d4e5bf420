using MassTransit;

namespace Astra.Dispatch.Bus.Results;

/// <summary>
/// Publishes outcomes to <c>astra.action-results</c> as plain JSON (no MassTransit envelope), so any AMQP
/// consumer of the agent runtime can read them, with the trace context of the attempt that produced them.
/// </summary>
public static class ResultPublisher
{
    public static Task PublishResultAsync<T>(this IPublishEndpoint endpoint, T result, CancellationToken cancellationToken)
        where T : class =>
        endpoint.Publish(result, context =>
        {
            context.UseRawJson();
            context.SetFromCurrentSpan();
            context.Durable = true;
        }, cancellationToken);
}
