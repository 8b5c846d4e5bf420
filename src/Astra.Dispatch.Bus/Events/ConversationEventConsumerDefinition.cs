using Astra.Dispatch.Contracts;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Middleware;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Bus.Events;

/// <summary>
/// <c>astra.dispatch.events</c>: bound to the <c>astra.events</c> topic exchange for every routing key; reads raw
/// JSON from any AMQP client and MassTransit envelopes alike. Poison events are not retried: they go straight
/// to <c>astra.dispatch.events_error</c> with the reason in <c>MT-Fault-Message</c>.
/// </summary>
internal sealed class ConversationEventConsumerDefinition : ConsumerDefinition<ConversationEventConsumer>
{
    private readonly RabbitMqOptions _options;

    public ConversationEventConsumerDefinition(IOptions<RabbitMqOptions> options)
    {
        _options = options.Value;
        EndpointName = BusNames.EventsQueue;
        ConcurrentMessageLimit = _options.EventsConcurrency;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<ConversationEventConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        // Without CopyHeaders (MassTransit's raw JSON default): the publisher's own AMQP headers stay on its event
        // instead of being copied into every command and from there into every result event on the bus.
        // Both, size-limited: raw JSON (any AMQP client, and bodies without a content type) and MassTransit's envelope.
        endpointConfigurator.AddDeserializer(new SizeLimitedDeserializerFactory(new SystemTextJsonRawMessageSerializerFactory(RawSerializerOptions.AnyMessageType)),
            isDefault: true);
        endpointConfigurator.AddDeserializer(new SizeLimitedDeserializerFactory(new SystemTextJsonMessageSerializerFactory()));
        // MassTransit's default error pipe, with a move that drops the publisher's user_id (see the filter).
        endpointConfigurator.ConfigureError(error =>
        {
            error.UseFilter(new GenerateFaultFilter());
            error.UseFilter(new EventErrorTransportFilter());
        });
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.PrefetchCount = _options.EventsPrefetch;
            rabbit.ConfigureConsumeTopology = false;
            if (_options.QuorumQueues)
                rabbit.SetQuorumQueue();
            rabbit.Bind(BusNames.EventsExchange, b =>
            {
                b.ExchangeType = "topic";
                b.RoutingKey = "#";
            });
        }
    }
}
