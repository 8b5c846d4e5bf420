using System.Diagnostics;
using Astra.Dispatch.Contracts;
using MassTransit;

namespace Astra.Dispatch.Bus;

/// <summary>
/// W3C trace context on everything the worker sends (commands, tier redeliveries, result events), from the current
/// span: the next hop continues the trace without MassTransit's or RabbitMQ.Client's spans being built.
/// </summary>
internal static class TraceContextHeaders
{
    public static void SetFromCurrentSpan(this SendContext context)
    {
        if (Activity.Current is not { IdFormat: ActivityIdFormat.W3C } current)
            return;
        context.Headers.Set(BusHeaders.TraceParent, current.Id);
        if (current.TraceStateString is { } state)
            context.Headers.Set(BusHeaders.TraceState, state);
    }
}
