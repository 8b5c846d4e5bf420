using Astra.Dispatch.Catalog;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Security;

namespace Astra.Dispatch.Dispatching;

/// <summary>
/// Decides whether an attempt may call its destination now: the destination's circuit, the tenant's in-flight cap,
/// the rule's rate limit, then a slot at the destination. Only the last one may wait (briefly); everything else
/// answers at once, so no send slot is held by a delivery that cannot go.
/// </summary>
internal sealed class DeliveryGate(
    DestinationBreaker breaker, RuleRateLimiters rates, TenantLimiter tenants, DestinationLimiter destinations, NetworkPolicies policies)
{
    public async ValueTask<Admission> EnterAsync(CompiledRule rule, SendHttpAction command, Uri destination, CancellationToken cancellationToken)
    {
        // An open circuit is an attempt that fails at once and follows the retry schedule.
        if (breaker.Refuse(destination, scope: policies.For(command.TenantId).Scope) is { } refused)
            return new Admission.Refused(refused);
        if (tenants.TryEnter(command.TenantId) is not { } tenant)
            return new Admission.Deferred("tenant at its concurrency cap", null);
        if (rates.TryAcquire(rule) is { } nextPermit)
        {
            tenant.Dispose();
            return new Admission.Deferred("rate limit reached", nextPermit);
        }
        if (await destinations.EnterAsync(destination, cancellationToken) is not { } slot)
        {
            tenant.Dispose();
            return new Admission.Deferred("destination busy", null);
        }
        return new Admission.Admitted(new Leases(tenant, slot));
    }

    /// <summary>Feeds the outcome of a call into the destination's circuit (of the tenant's network policy).</summary>
    public void Record(string tenantId, Uri destination, AttemptOutcome outcome) => breaker.Record(destination, outcome, policies.For(tenantId).Scope);

    internal sealed class Leases(IDisposable tenant, DestinationLimiter.Lease slot) : IDisposable
    {
        public void Dispose()
        {
            slot.Dispose();
            tenant.Dispose();
        }
    }
}

/// <summary>What the <see cref="DeliveryGate"/> answered.</summary>
internal abstract record Admission
{
    private Admission()
    {
    }

    /// <summary>Go: call the destination, then dispose the leases.</summary>
    public sealed record Admitted(IDisposable Leases) : Admission;

    /// <summary>Not called: the destination's circuit is open; <paramref name="Outcome"/> is the failed attempt.</summary>
    public sealed record Refused(AttemptOutcome Outcome) : Admission;

    /// <summary>Not attempted now; back after at least <paramref name="RetryAfter"/> when given.</summary>
    public sealed record Deferred(string Reason, TimeSpan? RetryAfter) : Admission;
}
