using System.Diagnostics;

namespace Astra.Dispatch.Benchmarks;

/// <summary>One side (worker or baseline) of one scenario.</summary>
internal sealed record Measurement(int Deliveries, int Distinct, double Seconds, double P50Ms, double P99Ms, double? MaxRssMb = null, double? RssAfterMb = null,
    double? CpuMsPerDelivery = null, double? BrokerCpuMsPerDelivery = null, double? HarnessCpuMsPerDelivery = null)
{
    /// <summary>A side not measured (<c>--worker-only</c>).</summary>
    public static readonly Measurement None = new(0, 0, 0, 0, 0);

    public double PerSecond => Seconds > 0 ? Deliveries / Seconds : 0;

    /// <summary>From <paramref name="start"/> (or the first arrival, for a backlog) to the last arrival.</summary>
    public static Measurement From(Recording recording, long start, TimeSpan? brokerCpu, double? maxRss = null, double? rssAfter = null, TimeSpan? cpu = null,
        TimeSpan? harnessCpu = null)
    {
        var latencies = recording.Latencies.ToArray();
        Array.Sort(latencies);
        var seconds = Stopwatch.GetElapsedTime(start, recording.LastArrival).TotalSeconds;
        return new Measurement(recording.Count, recording.Distinct, seconds, Percentile(latencies, 0.50), Percentile(latencies, 0.99), maxRss, rssAfter,
            PerDelivery(cpu, recording.Count), PerDelivery(brokerCpu, recording.Count), PerDelivery(harnessCpu, recording.Count));
    }

    /// <summary>
    /// A comparison pipeline runs inside the harness, beside the publisher and receiver: its CPU per delivery is the
    /// harness's in its run less the harness's in the worker's run of the same scenario (publisher and receiver alone).
    /// </summary>
    public double? PipelineCpuMsPerDelivery(Measurement workerRun) =>
        HarnessCpuMsPerDelivery - workerRun.HarnessCpuMsPerDelivery is { } cpu ? Math.Max(0, cpu) : null;

    private static double? PerDelivery(TimeSpan? cpu, int deliveries) => cpu is { } used && deliveries > 0 ? used.TotalMilliseconds / deliveries : null;

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
