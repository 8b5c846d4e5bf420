using System.Net.Mime;
using MassTransit;

namespace Astra.Dispatch.Bus.Results;

/// <summary>
/// Publishes outcomes to <c>astra.action-results</c> as plain JSON (no MassTransit envelope), so any AMQP
/// consumer of the agent runtime can read them.
/// </summary>
public static class ResultPublisher
{
    private static readonly ContentType RawJson = new("application/json");

    public static Task PublishResultAsync<T>(this IPublishEndpoint endpoint, T result, CancellationToken cancellationToken)
        where T : class =>
        endpoint.Publish(result, context =>
        {
            context.Serializer = context.Serialization.GetMessageSerializer(RawJson);
            context.Durable = true;
        }, cancellationToken);
}
