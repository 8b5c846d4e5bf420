using Astra.Dispatch.Bus.Redelivery;
using Astra.Dispatch.Bus.Results;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Dispatching;
using Astra.Dispatch.Telemetry;
using MassTransit;

namespace Astra.Dispatch.Bus.Events;

/// <summary>
/// Carries out an event's <see cref="EventPlan"/>: one command per matched rule to the send queue (or parked in a delay
/// tier), the render failures published, then the plan recorded. The event is acknowledged only after every command
/// is confirmed by the broker; an invalid event is dead-lettered with the reason.
/// </summary>
internal sealed class ConversationEventConsumer(IEventPlanner planner, DelayTiers tiers) : IConsumer<ConversationEvent>
{
    /// <summary>
    /// Commands go to the send queue's exchange, declared with the queue and its binding before the bus starts
    /// (<see cref="DelayTiers.DeclareSendQueueAsync"/>): a <c>queue:</c> address would have MassTransit declare the
    /// queue itself, as a classic queue, which the broker refuses once it is a quorum queue.
    /// </summary>
    public static readonly Uri SendExchange = new($"exchange:{BusNames.SendQueue}");

    public async Task Consume(ConsumeContext<ConversationEvent> context)
    {
        var e = context.Message;
        var headers = context.ReceiveContext.TransportHeaders;
        using var span = DispatchActivities.StartEvent(headers.Get<string>(BusHeaders.TraceParent), headers.Get<string>(BusHeaders.TraceState),
            e.TenantId, e.Type, e.EventId);
        var receipt = new EventReceipt(context.ReceiveContext.Body.Length ?? 0, context.ReceiveContext.Redelivered, PublisherOf(context.ReceiveContext));
        var plan = await planner.PlanAsync(e, receipt, context.CancellationToken);
        if (plan.Rejection is { } reason)
            throw new InvalidEventException(reason);
        if (plan.Commands.Count > 0)
        {
            var endpoint = await context.GetSendEndpoint(SendExchange);
            using (DispatchActivities.StartSendCommands(plan.Commands.Count))
                await Task.WhenAll(plan.Commands.Select(c => c.Park is { } park
                    ? tiers.ParkAsync(context, c.Command, park.Tier, park.Wait, context.CancellationToken)
                    : endpoint.Send(c.Command, send => Prepare(send, c.Known), context.CancellationToken)));
        }
        foreach (var failure in plan.Failures)
            await context.PublishResultAsync(failure, context.CancellationToken);
        await planner.RecordAsync(plan, context.CancellationToken);
    }

    /// <summary>The AMQP <c>user_id</c> (RabbitMQ checked it against the publishing connection's user), if the publisher set it.</summary>
    internal static string? PublisherOf(ReceiveContext receive) =>
        receive.TryGetPayload<RabbitMqBasicConsumeContext>(out var rabbit) && rabbit.Properties.IsUserIdPresent() ? rabbit.Properties.UserId : null;

    private static void Prepare(SendContext send, bool known)
    {
        send.UseRawJson();
        send.SetFromCurrentSpan();
        // Should the binding be missing (a broker that lost its definitions), fail loudly instead of dropping.
        if (send.TryGetPayload<RabbitMqSendContext>(out var rabbit))
            rabbit.Mandatory = true;
        if (known)
            send.Headers.Set(BusHeaders.KnownDelivery, true);
    }
}
