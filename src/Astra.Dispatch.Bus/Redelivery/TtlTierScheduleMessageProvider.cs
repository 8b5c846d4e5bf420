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
        var queue = destinationAddress.AbsolutePath.Split('/')[^1];
        await tiers.SendAsync(context, message, tier, plan?.Wait ?? tier, queue, plan?.AttemptsSoFar ?? 0, plan?.Deferrals ?? 0, pipe, cancellationToken);
        return new ScheduledMessageHandle<T>(NewId.NextGuid(), scheduledTime, destinationAddress, message);
    }

    // Like MassTransit's delayed-exchange provider, a tier message cannot be recalled.
    public Task CancelScheduledSend(Guid tokenId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task CancelScheduledSend(Uri destinationAddress, Guid tokenId, CancellationToken cancellationToken) => Task.CompletedTask;
}
