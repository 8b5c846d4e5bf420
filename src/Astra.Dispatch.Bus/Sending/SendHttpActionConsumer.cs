using Astra.Dispatch.Bus.Redelivery;
using Astra.Dispatch.Bus.Results;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Dispatching;
using Astra.Dispatch.Telemetry;
using MassTransit;

namespace Astra.Dispatch.Bus.Sending;

/// <summary>
/// Carries out one attempt's <see cref="DeliveryDecision"/>: publishes results, redelivers through a delay tier, or
/// dead-letters the command (by throwing, so MassTransit moves it to <c>astra.dispatch.send_error</c>).
/// </summary>
internal sealed class SendHttpActionConsumer(IDeliveryAttempt attempt, DelayTiers tiers) : IConsumer<SendHttpAction>
{
    public async Task Consume(ConsumeContext<SendHttpAction> context)
    {
        var command = context.Message;
        var info = ReadAttemptInfo(context);
        using var span = DispatchActivities.StartDeliver(command.TenantId, command.RuleId, command.DeliveryId, info.Attempt,
            context.Headers.Get<string>(BusHeaders.TraceParent));
        var decision = await attempt.RunAsync(command, info, context.CancellationToken);
        if (decision.Paused is { } paused)
            await context.PublishResultAsync(paused, context.CancellationToken);
        switch (decision)
        {
            case DeliveryDecision.Delivered { Result: { } result }:
                await context.PublishResultAsync(result, context.CancellationToken);
                break;
            case DeliveryDecision.Retry retry:
                await tiers.RedeliverAsync(context, retry.Tier, retry.Wait, retry.AttemptsSoFar, deferrals: 0, context.CancellationToken);
                break;
            case DeliveryDecision.Defer defer:
                await tiers.RedeliverAsync(context, defer.Tier, defer.Wait, defer.AttemptsSoFar, defer.Deferrals, context.CancellationToken);
                break;
            case DeliveryDecision.Fail fail:
                await context.PublishResultAsync(fail.Result, context.CancellationToken);
                throw new DeliveryFailedException(fail.Result.Error ?? "failed", command.DeliveryId, command.RuleId, fail.Attempts, fail.LastStatus);
        }
    }

    /// <summary>The attempt and deferral headers a delay tier carries, and whether anyone may have handled the command before.</summary>
    private static AttemptInfo ReadAttemptInfo(ConsumeContext context)
    {
        var attempts = context.Headers.Get<int>(BusHeaders.Attempts) ?? 0;
        var deferrals = context.Headers.Get<int>(BusHeaders.Deferrals) ?? 0;
        var mayBeHandled = attempts > 0 || deferrals > 0 || context.ReceiveContext.Redelivered || context.Headers.Get<bool>(BusHeaders.KnownDelivery) == true;
        return new AttemptInfo(attempts, deferrals, mayBeHandled);
    }
}
