using Astra.Dispatch.Contracts;
using MassTransit;

namespace Astra.Dispatch.Bus.Redelivery;

/// <summary>Adds the delivery's own details to a dead-lettered command, next to MassTransit's MT-Fault-* headers.</summary>
internal sealed class DeliveryFaultHeadersFilter : IFilter<ExceptionReceiveContext>
{
    public Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        var headers = context.ExceptionHeaders;
        headers.Set(BusHeaders.LastError, context.Exception.Message);
        if (context.Exception is DeliveryFailedException failed)
        {
            headers.Set(BusHeaders.RuleId, failed.RuleId);
            headers.Set(BusHeaders.DeliveryId, failed.DeliveryId);
            headers.Set(BusHeaders.Attempts, failed.Attempts);
            if (failed.LastStatus is { } status)
                headers.Set(BusHeaders.LastStatus, status);
        }
        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("deliveryFaultHeaders");
}
