using Astra.Dispatch.Bus.Operations;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Dispatching;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of the broker operations operators' tools share (dead letters, queue status).</summary>
public static class BusOperationsExtensions
{
    /// <summary>
    /// <see cref="DeadLetterService"/>, <see cref="DeadLetterQueue"/>, <see cref="QueueProbe"/> and the resend's command sender over plain AMQP
    /// connections to <c>Dispatch:RabbitMq:Uri</c>, named <paramref name="clientName"/> on the broker. Idempotent.
    /// </summary>
    public static DispatchBuilder AddBusOperations(this DispatchBuilder builder, string clientName)
    {
        var services = builder.Services;
        services.TryAddSingleton(sp => new BrokerConnector(
            sp.GetRequiredService<IConfiguration>()["Dispatch:RabbitMq:Uri"] ?? BusNames.DefaultBrokerUri, clientName));
        services.TryAddSingleton<DeadLetterQueue>();
        services.TryAddSingleton<QueueProbe>();
        services.TryAddSingleton<DeadLetterService>();
        services.TryAddSingleton<IDeliveryCommandSender, AmqpCommandSender>();
        return builder;
    }
}
