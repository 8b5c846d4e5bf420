using MassTransit;

namespace Astra.Dispatch.Bus.Redelivery;

/// <summary>Adds the delivery's own details to a dead-lettered command, next to MassTransit's MT-Fault-* headers.</summary>
internal sealed class DeliveryFaultHeadersFilter : IFilter<ExceptionReceiveContext>
{
    public const string RuleId = "astra-rule-id";
    public const string DeliveryId = "astra-delivery-id";
    public const string Attempts = "astra-attempts-made";
    public const string LastStatus = "astra-last-status";
    public const string LastError = "astra-last-error";

    public Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        var headers = context.ExceptionHeaders;
        headers.Set(LastError, context.Exception.Message);
        if (context.Exception is DeliveryFailedException failed)
        {
            headers.Set(RuleId, failed.RuleId);
            headers.Set(DeliveryId, failed.DeliveryId);
            headers.Set(Attempts, failed.Attempts);
            if (failed.LastStatus is { } status)
                headers.Set(LastStatus, status);
        }
        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("deliveryFaultHeaders");
}
