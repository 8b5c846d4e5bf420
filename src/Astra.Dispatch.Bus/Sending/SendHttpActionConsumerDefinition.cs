using Astra.Dispatch.Bus.Redelivery;
using Astra.Dispatch.Contracts;
using MassTransit;
using MassTransit.Middleware;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Bus.Sending;

/// <summary>
/// <c>astra.dispatch.send</c>: high concurrency for I/O-bound HTTP calls; the consumer redelivers transient failures
/// through the TTL delay tiers (MassTransit's scheduled redelivery with the tier scheduler installed here); final failures land in
/// <c>astra.dispatch.send_error</c> with MassTransit's fault headers plus the delivery's.
/// </summary>
public sealed class SendHttpActionConsumerDefinition : ConsumerDefinition<SendHttpActionConsumer>
{
    private readonly RabbitMqOptions _options;
    private readonly DelayTiers _tiers;
    private readonly TimeProvider _time;

    public SendHttpActionConsumerDefinition(IOptions<RabbitMqOptions> options, DelayTiers tiers, TimeProvider time)
    {
        _options = options.Value;
        _tiers = tiers;
        _time = time;
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
        endpointConfigurator.AddPrePipeSpecification(new TtlTierSchedulerSpecification(_tiers, _time));
        endpointConfigurator.ConfigureError(e =>
        {
            e.UseFilter(new DeliveryFaultHeadersFilter());
            e.UseFilter(new ErrorTransportFilter());
        });
    }
}
