namespace Astra.Dispatch.Delivery;

/// <summary>
/// Whether a delay tier (the broker queue of one retry delay) can be used. A tier the broker refuses to declare (a queue of
/// that name with other arguments, a missing permission) must not stop the worker: the deliveries that would wait in it
/// fail with a clear error instead, or are deferred through another tier. The bus implements it; without one, every
/// tier is available.
/// </summary>
public interface IDelayTierAvailability
{
    /// <summary>Whether <paramref name="tier"/> is ready for use, declaring it first when it has not been yet.</summary>
    ValueTask<bool> IsAvailableAsync(TimeSpan tier, CancellationToken cancellationToken);

    /// <summary>Whether <paramref name="tier"/> was found unusable recently (no broker call).</summary>
    bool IsKnownUnavailable(TimeSpan tier);
}

/// <summary>No broker (the CLI, tests of the decisions): every tier is available.</summary>
internal sealed class EveryDelayTierAvailable : IDelayTierAvailability
{
    public ValueTask<bool> IsAvailableAsync(TimeSpan tier, CancellationToken cancellationToken) => ValueTask.FromResult(true);

    public bool IsKnownUnavailable(TimeSpan tier) => false;
}
