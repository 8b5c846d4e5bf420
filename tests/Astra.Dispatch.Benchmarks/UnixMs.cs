namespace Astra.Dispatch.Benchmarks;

/// <summary>
/// Wall-clock unix time in fractional milliseconds: publisher and receiver share the clock, and at the 1–3 ms medians
/// of a paced run whole milliseconds made the latency ratios uncertain by up to ±50 %.
/// </summary>
internal static class UnixMs
{
    public static double Now() => (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds;
}
