using Astra.Dispatch.Contracts;
using MassTransit;

namespace Astra.Dispatch.Bus;

/// <summary>
/// Maps the contract messages onto the contract exchanges. MassTransit publishers of
/// <see cref="ConversationEvent"/> call <see cref="ConfigureAstraTopology"/> too.
/// </summary>
internal static class AstraTopology
{
    public static void ConfigureAstraTopology(this IRabbitMqBusFactoryConfigurator cfg)
    {
        cfg.Message<ConversationEvent>(m => m.SetEntityName(BusNames.EventsExchange));
        cfg.Publish<ConversationEvent>(p => p.ExchangeType = "topic");
        cfg.Send<ConversationEvent>(s => s.UseRoutingKeyFormatter(c => c.Message.Type));

        ResultMessage<ActionSucceeded>(cfg, BusNames.SucceededRoutingKey);
        ResultMessage<ActionFailed>(cfg, BusNames.FailedRoutingKey);
        ResultMessage<RulePaused>(cfg, BusNames.RulePausedRoutingKey);
        // Don't let MassTransit add an exchange for the shared base record.
        cfg.Publish<ActionResult>(p => p.Exclude = true);
    }

    private static void ResultMessage<T>(IRabbitMqBusFactoryConfigurator cfg, string routingKey)
        where T : class
    {
        cfg.Message<T>(m => m.SetEntityName(BusNames.ResultsExchange));
        cfg.Publish<T>(p => p.ExchangeType = "topic");
        cfg.Send<T>(s => s.UseRoutingKeyFormatter(_ => routingKey));
    }
}
