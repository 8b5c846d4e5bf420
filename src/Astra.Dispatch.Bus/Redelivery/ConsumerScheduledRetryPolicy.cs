using MassTransit;
using MassTransit.RetryPolicies;

namespace Astra.Dispatch.Bus.Redelivery;

/// <summary>
/// A MassTransit retry policy whose decisions come from the send consumer: it redelivers on
/// <see cref="TransientDeliveryException"/> and on nothing else. The consumer knows the rule's schedule and
/// the attempt number, so it throws a non-retryable exception when the schedule is exhausted.
/// </summary>
public sealed class ConsumerScheduledRetryPolicy : IRetryPolicy
{
    public RetryPolicyContext<T> CreatePolicyContext<T>(T context)
        where T : class, PipeContext => new PolicyContext<T>(this, context);

    public bool IsHandled(Exception exception) => exception is TransientDeliveryException;

    public void Probe(ProbeContext context) => context.Set(new { Policy = "ConsumerScheduled" });

    private sealed class PolicyContext<T>(ConsumerScheduledRetryPolicy policy, T context) : BaseRetryPolicyContext<T>(policy, context)
        where T : class, PipeContext
    {
        protected override RetryContext<T> CreateRetryContext(Exception exception, CancellationToken cancellationToken) =>
            new ScheduledRetryContext<T>(policy, Context, exception, 0, cancellationToken);
    }

    private sealed class ScheduledRetryContext<T>(ConsumerScheduledRetryPolicy policy, T context, Exception exception, int retryCount, CancellationToken cancellationToken)
        : BaseRetryContext<T>(context, exception, retryCount, cancellationToken), RetryContext<T>
        where T : class, PipeContext
    {
        // The delay actually used comes from the RedeliveryPlan; this only has to be positive.
        public override TimeSpan? Delay => TimeSpan.FromSeconds(1);

        public bool CanRetry(Exception exception, out RetryContext<T> retryContext)
        {
            retryContext = new ScheduledRetryContext<T>(policy, Context, exception, RetryCount + 1, CancellationToken);
            return policy.IsHandled(exception);
        }
    }
}
