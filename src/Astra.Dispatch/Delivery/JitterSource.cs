namespace Astra.Dispatch.Delivery;

/// <summary>Randomness for retry jitter, injected so tests decide it.</summary>
public interface IJitterSource
{
    /// <summary>A number in [0, 1).</summary>
    double NextDouble();
}

/// <summary>The shared thread-safe <see cref="Random"/>.</summary>
internal sealed class SharedJitterSource : IJitterSource
{
    public double NextDouble() => Random.Shared.NextDouble();
}
