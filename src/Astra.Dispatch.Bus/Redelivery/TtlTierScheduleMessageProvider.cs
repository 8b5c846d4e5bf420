using MassTransit;
using MassTransit.Scheduling;

namespace Astra.Dispatch.Bus.Redelivery;

/// <summary>
/// Carries out MassTransit's scheduled redelivery with the TTL tiers: the message is published (mandatory,
/// confirmed) to the tier's exchange with the destination queue as routing key, waits out its expiration, and
/// is dead-lettered back to that queue. The attempt and deferral headers travel with it.
/// </summary>
internal sealed class TtlTierScheduleMessageProvider(ConsumeContext context, DelayTiers tiers, TimeProvider time) : IScheduleMessageProvider
{
    public async Task<ScheduledMessage<T>> ScheduleSend<T>(Uri destinationAddress, DateTime scheduledTime, T message, IPipe<SendContext<T>> pipe,
        CancellationToken cancellationToken)
        where T : class
    {
        var plan = context.TryGetPayload<RedeliveryPlan>(out var p) ? p : null;
        var delay = scheduledTime.ToUniversalTime() - time.GetUtcNow().UtcDateTime;
        var tier = plan?.Tier ?? (delay > TimeSpan.Zero ? delay : TimeSpan.FromSeconds(1));
        var wait = plan?.Wait ?? tier;
        await tiers.EnsureAsync(tier, cancellationToken);

        var queue = destinationAddress.AbsolutePath.Split('/')[^1];
        var endpoint = await context.GetSendEndpoint(new Uri($"exchange:{DelayTiers.QueueName(tier)}"));
        await endpoint.Send(message, Pipe.ExecuteAsync<SendContext<T>>(async send =>
        {
            await pipe.Send(send);
            // MassTransit would re-serialize with its default (envelope) serializer; commands stay plain JSON.
            send.UseRawJson();
            if (plan is not null)
            {
                send.Headers.Set(RedeliveryPlan.AttemptsHeader, plan.AttemptsSoFar);
                send.Headers.Set(RedeliveryPlan.DeferralsHeader, plan.Deferrals);
            }
            send.TimeToLive = wait;
            if (send.TryGetPayload<RabbitMqSendContext>(out var rabbit))
            {
                // The default exchange routes the dead-lettered copy by this key, i.e. back to the consumer's queue.
                rabbit.RoutingKey = queue;
                // A missing tier queue must fail loudly (NO_ROUTE), never drop the message.
                rabbit.Mandatory = true;
            }
        }), cancellationToken);
        return new ScheduledMessageHandle<T>(NewId.NextGuid(), scheduledTime, destinationAddress, message);
    }

    // Like MassTransit's delayed-exchange provider, a tier message cannot be recalled.
    public Task CancelScheduledSend(Guid tokenId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task CancelScheduledSend(Uri destinationAddress, Guid tokenId, CancellationToken cancellationToken) => Task.CompletedTask;
}
