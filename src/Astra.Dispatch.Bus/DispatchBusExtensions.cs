using Astra.Dispatch.Bus;
using Astra.Dispatch.Bus.Events;
using Astra.Dispatch.Bus.Fleet;
using Astra.Dispatch.Bus.Redelivery;
using Astra.Dispatch.Bus.Sending;
using Astra.Dispatch.Bus.Warmup;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Dispatching.Warmup;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of the worker's bus.</summary>
public static class DispatchBusExtensions
{
    /// <summary>Time on top of the shutdown grace for the bus to stop, and again for the delivery log to flush.</summary>
    public static readonly TimeSpan StopMargin = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The worker's bus: MassTransit on RabbitMQ with the event and send consumers, TTL-tier redelivery and the contract
    /// topology, after the worker's hosted services (added here if not yet).
    /// <para>
    /// The stop order, in one place: the consumers get <c>Dispatch:Delivery:ShutdownGrace</c> to finish in-flight HTTP
    /// calls, then their token is cancelled and unacknowledged commands go back to the queue; the bus gets
    /// <see cref="StopMargin"/> more to stop; the host waits one margin more so the delivery log (stopped last, as it was
    /// registered first) flushes what the consumers wrote.
    /// </para>
    /// </summary>
    public static DispatchBuilder AddBus(this DispatchBuilder builder)
    {
        var services = builder.AddWorker().Services;
        services.AddOptions<RabbitMqOptions>().BindConfiguration(RabbitMqOptions.Section)
            .Validate(o => o.Uri.Scheme is "amqp" or "amqps", "Dispatch:RabbitMq:Uri must be an amqp:// or amqps:// URI")
            .Validate(o => o.SendConcurrency > 0 && o.EventsConcurrency > 0 && o.SendPrefetch > 0 && o.EventsPrefetch > 0, "Dispatch:RabbitMq prefetch and concurrency must be positive")
            .Validate(o => o.ConsumerCountInterval > TimeSpan.Zero, "Dispatch:RabbitMq:ConsumerCountInterval must be positive")
            .ValidateOnStart();
        services.AddSingleton<DelayTiers>();
        services.AddSingleton<IDelayTierAvailability>(sp => sp.GetRequiredService<DelayTiers>());
        services.AddHostedService<DelayTierDeclarer>();
        services.AddSingleton<IWarmupStep, MessagingWarmup>();
        // The fleet's size for shared rate limits: replaces the core's single-worker default.
        services.AddSingleton<SendQueueConsumers>();
        services.Replace(ServiceDescriptor.Singleton<ISendConsumerCount>(sp => sp.GetRequiredService<SendQueueConsumers>()));
        services.AddHostedService(sp => sp.GetRequiredService<SendQueueConsumers>());
        services.AddMassTransit(x =>
        {
            x.AddConsumer<ConversationEventConsumer, ConversationEventConsumerDefinition>();
            x.AddConsumer<SendHttpActionConsumer, SendHttpActionConsumerDefinition>();
            x.UsingRabbitMq((context, cfg) =>
            {
                var options = context.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
                cfg.Host(options.Uri, h =>
                {
                    h.ConnectionName("astra-dispatch-worker");
                    // The default, stated because delivery depends on it: every send, publish, tier hop and
                    // dead letter is awaited until the broker confirms it, and only then is the input acked.
                    h.PublisherConfirmation = true;
                });
                cfg.AddRawJsonSerializer();
                cfg.ConfigureAstraTopology();
                cfg.ConfigureEndpoints(context);
            });
        });
        services.AddOptions<MassTransitHostOptions>().Configure<IOptions<RetryOptions>>((o, retry) =>
        {
            o.WaitUntilStarted = true;
            o.ConsumerStopTimeout = retry.Value.ShutdownGrace;
            o.StopTimeout = retry.Value.ShutdownGrace + StopMargin;
        });
        services.AddOptions<HostOptions>().Configure<IOptions<RetryOptions>>((o, retry) =>
        {
            var needed = retry.Value.ShutdownGrace + StopMargin * 2;
            if (o.ShutdownTimeout < needed)
                o.ShutdownTimeout = needed;
        });
        return builder;
    }
}
