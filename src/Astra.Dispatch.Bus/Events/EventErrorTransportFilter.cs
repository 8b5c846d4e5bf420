using Astra.Dispatch.Contracts;
using MassTransit;
using MassTransit.Middleware.Rescue;
using MassTransit.Transports;
using RabbitMQ.Client;

namespace Astra.Dispatch.Bus.Events;

/// <summary>
/// Moves a faulted event to <c>astra.dispatch.events_error</c> as MassTransit's own error filter does, but without the
/// publisher's AMQP <c>user_id</c>, kept in <see cref="BusHeaders.Publisher"/> instead. MassTransit copies every property
/// of the message it moves, and RabbitMQ refuses a publish whose <c>user_id</c> is not the publishing connection's user
/// (406, closing the channel): an invalid event from another broker user, or one refused by the publisher binding,
/// would otherwise come back to the queue and fail again, forever.
/// </summary>
internal sealed class EventErrorTransportFilter : IFilter<ExceptionReceiveContext>
{
    public void Probe(ProbeContext context) => context.CreateFilterScope("moveFaultWithoutUserId");

    public async Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        if (!context.TryGetPayload(out IErrorTransport? transport))
            throw new TransportException(context.InputAddress, $"The {nameof(IErrorTransport)} was not available on the {nameof(ReceiveContext)}.");
        var moved = context.TryGetPayload(out RabbitMqBasicConsumeContext? rabbit) && rabbit.Properties.IsUserIdPresent()
            ? new WithoutUserId(context, rabbit)
            : context;
        await transport.Send(moved).ConfigureAwait(false);
        await next.Send(context).ConfigureAwait(false);
    }

    /// <summary>The faulted context, except that the RabbitMQ properties it hands the error transport have no <c>user_id</c>.</summary>
    private sealed class WithoutUserId(ExceptionReceiveContext context, RabbitMqBasicConsumeContext rabbit)
        : RescueExceptionReceiveContext(context, context.Exception)
    {
        private readonly RabbitMqBasicConsumeContext _rabbit = new Stripped(rabbit);

        public override bool TryGetPayload<TPayload>(out TPayload payload)
        {
            if (_rabbit is TPayload stripped)
            {
                payload = stripped;
                return true;
            }
            return base.TryGetPayload(out payload);
        }
    }

    private sealed class Stripped(RabbitMqBasicConsumeContext inner) : RabbitMqBasicConsumeContext
    {
        public string Exchange => inner.Exchange;

        public string? RoutingKey => inner.RoutingKey;

        public string ConsumerTag => inner.ConsumerTag;

        public ulong DeliveryTag => inner.DeliveryTag;

        public IReadOnlyBasicProperties Properties { get; } = Without(inner.Properties);

        private static BasicProperties Without(IReadOnlyBasicProperties original)
        {
            var headers = original.Headers is null ? new Dictionary<string, object?>() : new Dictionary<string, object?>(original.Headers);
            headers[BusHeaders.Publisher] = original.UserId;
            return new BasicProperties(original) { UserId = null, Headers = headers };
        }
    }
}
