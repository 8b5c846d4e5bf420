using Astra.Dispatch.Bus.Events;
using Astra.Dispatch.Bus.Redelivery;
using Astra.Dispatch.Bus.Sending;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Bus;

public static class DispatchBusServiceCollectionExtensions
{
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
        services.AddSingleton<DelayTiers>();
        services.AddSingleton<RulePauser>();
        services.AddHostedService<DelayTierDeclarer>();
        services.AddMassTransit(x =>
        {
            x.AddConsumer<ConversationEventConsumer, ConversationEventConsumerDefinition>();
            x.AddConsumer<SendHttpActionConsumer, SendHttpActionConsumerDefinition>();
            x.UsingRabbitMq((context, cfg) =>
            {
                var options = context.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
                cfg.Host(options.Uri, h => h.ConnectionName("astra-dispatch-worker"));
                cfg.AddRawJsonSerializer();
                cfg.ConfigureAstraTopology();
                cfg.ConfigureEndpoints(context);
            });
        });
        services.AddOptions<MassTransitHostOptions>().Configure(o =>
        {
            o.WaitUntilStarted = true;
            o.StopTimeout = TimeSpan.FromSeconds(30);
        });
        return services;
    }
}
