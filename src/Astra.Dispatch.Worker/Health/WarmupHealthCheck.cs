using Astra.Dispatch.Dispatching.Warmup;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Astra.Dispatch.Worker.Health;

/// <summary>Ready once the warm-up has run the hot paths (or is off, or gave up): a new replica takes traffic warm.</summary>
internal sealed class WarmupHealthCheck(StartupWarmup warmup) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(warmup.IsComplete
            ? HealthCheckResult.Healthy($"warmed up in {warmup.Duration.TotalMilliseconds:F0} ms")
            : HealthCheckResult.Unhealthy("warming up"));
}
