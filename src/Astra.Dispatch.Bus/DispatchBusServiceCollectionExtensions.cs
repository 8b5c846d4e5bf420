using Astra.Dispatch.Bus.Events;
using Astra.Dispatch.Bus.Redelivery;
using Astra.Dispatch.Bus.Results;
using Astra.Dispatch.Bus.Sending;
using Astra.Dispatch.Delivery;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Bus;

public static class DispatchBusServiceCollectionExtensions
{
    /// <summary>Time on top of the shutdown grace for the bus to stop and the delivery log to flush.</summary>
    public static readonly TimeSpan StopMargin = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The worker's bus: MassTransit on RabbitMQ with the event and send consumers, TTL-tier redelivery and the
    /// contract topology. Call after <c>AddDispatchCore</c> and <c>AddDispatchWorkerServices</c>.
    /// </summary>
    public static IServiceCollection AddDispatchBus(this IServiceCollection services)
    {
        services.AddOptions<RabbitMqOptions>().BindConfiguration(RabbitMqOptions.Section)
            .Validate(o => o.Uri.Scheme is "amqp" or "amqps", "Dispatch:RabbitMq:Uri must be an amqp:// or amqps:// URI")
            .Validate(o => o.SendConcurrency > 0 && o.EventsConcurrency > 0 && o.SendPrefetch > 0 && o.EventsPrefetch > 0, "Dispatch:RabbitMq prefetch and concurrency must be positive")
            .ValidateOnStart();
        services.AddOptions<ResultsOptions>().BindConfiguration(ResultsOptions.Section);
        services.AddSingleton<DelayTiers>();
        services.AddSingleton<RulePauser>();
        services.AddSingleton<FailureStreakPauser>();
        services.AddSingleton<SucceededDeliveries>();
        services.AddHostedService<DelayTierDeclarer>();
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
        // Graceful stop: consumers get ShutdownGrace to finish in-flight HTTP calls, then their token is cancelled
        // and the unacknowledged commands go back to the queue; the host waits long enough for the log to flush.
        services.AddOptions<MassTransitHostOptions>().Configure<IOptions<RetryOptions>>((o, retry) =>
        {
            o.WaitUntilStarted = true;
            o.ConsumerStopTimeout = retry.Value.ShutdownGrace;
            o.StopTimeout = retry.Value.ShutdownGrace + StopMargin;
        });
        return services;
    }
}
