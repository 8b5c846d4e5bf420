using System.Diagnostics;

namespace Astra.Dispatch.Benchmarks;

/// <summary>One side (worker or baseline) of one scenario.</summary>
internal sealed record Measurement(int Deliveries, int Distinct, double Seconds, double P50Ms, double P99Ms, double? MaxRssMb = null, double? RssAfterMb = null,
    double? CpuMsPerDelivery = null, double? BrokerCpuMsPerDelivery = null, double FirstSecondMaxMs = 0)
{
    /// <summary>A side not measured (<c>--worker-only</c>).</summary>
    public static readonly Measurement None = new(0, 0, 0, 0, 0);

    public double PerSecond => Seconds > 0 ? Deliveries / Seconds : 0;

    /// <summary>From <paramref name="start"/> (or the first arrival, for a backlog) to the last arrival.</summary>
    public static Measurement From(Recording recording, long start, TimeSpan? brokerCpu, double? maxRss = null, double? rssAfter = null, TimeSpan? cpu = null)
    {
        var latencies = recording.Latencies.ToArray();
        Array.Sort(latencies);
        var seconds = Stopwatch.GetElapsedTime(start, recording.LastArrival).TotalSeconds;
        return new Measurement(recording.Count, recording.Distinct, seconds, Percentile(latencies, 0.50), Percentile(latencies, 0.99), maxRss, rssAfter,
            PerDelivery(cpu, recording.Count), PerDelivery(brokerCpu, recording.Count), recording.FirstSecondMaxMs());
    }

    private static double? PerDelivery(TimeSpan? cpu, int deliveries) => cpu is { } used && deliveries > 0 ? used.TotalMilliseconds / deliveries : null;

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
