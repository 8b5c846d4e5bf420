using Astra.Dispatch.Delivery;

namespace Astra.Dispatch.Tests.Support;

/// <summary>A jitter source that always answers <paramref name="value"/> (0.5 = no spread, 0 = the shortest, ~1 = the longest).</summary>
internal sealed class FixedJitter(double value = 0.5) : IJitterSource
{
    public double NextDouble() => value;
}
