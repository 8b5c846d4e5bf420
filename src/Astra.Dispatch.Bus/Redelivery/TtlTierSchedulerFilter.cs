using MassTransit;
using MassTransit.Configuration;
using MassTransit.Context;
using MassTransit.Scheduling;

namespace Astra.Dispatch.Bus.Redelivery;

/// <summary>
/// Installs the TTL-tier scheduler and an empty <see cref="RedeliveryPlan"/> on each received message,
/// ahead of the consumer (mirrors MassTransit's DelayedMessageSchedulerFilter).
/// </summary>
internal sealed class TtlTierSchedulerFilter(DelayTiers tiers, TimeProvider time) : IFilter<ConsumeContext>
{
    public Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        context.GetOrAddPayload(() => new RedeliveryPlan());
        context.GetOrAddPayload<MessageSchedulerContext>(() => new ConsumeMessageSchedulerContext(context,
            c => new MessageScheduler(new TtlTierScheduleMessageProvider(c, tiers, time), c.GetPayload<IBusTopology>())));
        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("ttlTierScheduler");
}

internal sealed class TtlTierSchedulerSpecification(DelayTiers tiers, TimeProvider time) : IPipeSpecification<ConsumeContext>
{
    public void Apply(IPipeBuilder<ConsumeContext> builder) => builder.AddFilter(new TtlTierSchedulerFilter(tiers, time));

    public IEnumerable<ValidationResult> Validate() => [];
}
