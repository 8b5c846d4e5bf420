using Astra.Dispatch.Bus.Redelivery;
using Astra.Dispatch.Contracts;
using MassTransit;
using MassTransit.Middleware;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Bus.Sending;

/// <summary>
/// <c>astra.dispatch.send</c>: high concurrency for I/O-bound HTTP calls; the consumer redelivers transient failures
/// and deferrals through the TTL delay tiers; final failures land in <c>astra.dispatch.send_error</c> with MassTransit's
/// fault headers plus the delivery's.
/// </summary>
internal sealed class SendHttpActionConsumerDefinition : ConsumerDefinition<SendHttpActionConsumer>
{
    private readonly RabbitMqOptions _options;

    public SendHttpActionConsumerDefinition(IOptions<RabbitMqOptions> options)
    {
        _options = options.Value;
        EndpointName = BusNames.SendQueue;
        ConcurrentMessageLimit = _options.SendConcurrency;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<SendHttpActionConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        // Commands are plain JSON (see RawJson); MassTransit envelopes (e.g. from older workers) are still read. Their
        // headers are not copied into result events (internal marks); a tier redelivery sets the ones it carries.
        endpointConfigurator.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType);
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.PrefetchCount = _options.SendPrefetch;
            if (_options.QuorumQueues)
                rabbit.SetQuorumQueue();
        }
        endpointConfigurator.ConfigureError(e =>
        {
            e.UseFilter(new DeliveryFaultHeadersFilter());
            e.UseFilter(new ErrorTransportFilter());
        });
    }
}
