using Astra.Dispatch.Contracts;

namespace Astra.Dispatch.Dispatching;

/// <summary>
/// What follows one attempt of a delivery; the send consumer carries it out on the bus. Every decision may carry a
/// <see cref="Paused"/> rule to announce.
/// </summary>
public abstract record DeliveryDecision
{
    private DeliveryDecision()
    {
    }

    /// <summary>A rule this attempt paused (410 Gone, or every delivery failing for too long): publish it.</summary>
    public RulePaused? Paused { get; init; }

    /// <summary>Delivered. <paramref name="Result"/> is published when not null.</summary>
    public sealed record Delivered(ActionSucceeded? Result) : DeliveryDecision;

    /// <summary>This delivery had already succeeded: nothing is sent or published again.</summary>
    public sealed record AlreadyDelivered : DeliveryDecision;

    /// <summary>Failed transiently: redeliver through the delay tier <paramref name="Tier"/>, after <paramref name="Wait"/>.</summary>
    public sealed record Retry(TimeSpan Tier, TimeSpan Wait, int AttemptsSoFar) : DeliveryDecision;

    /// <summary>Not attempted (rate limit, busy destination, tenant at its cap): back later without using up an attempt.</summary>
    public sealed record Defer(TimeSpan Tier, TimeSpan Wait, int AttemptsSoFar, int Deferrals, string Reason) : DeliveryDecision;

    /// <summary>Failed for good: publish <paramref name="Result"/> and dead-letter the command.</summary>
    public sealed record Fail(ActionFailed Result, int Attempts, int? LastStatus) : DeliveryDecision;
}
