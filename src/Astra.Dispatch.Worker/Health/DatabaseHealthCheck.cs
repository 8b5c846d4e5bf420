using Astra.Dispatch.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Astra.Dispatch.Worker.Health;

/// <summary>
/// Ready only if the database takes a write: a read-only mount or a full disk (SQLite), a standby or an unreachable
/// server (PostgreSQL) shows up here.
/// </summary>
internal sealed class DatabaseHealthCheck(IDispatchDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await database.CheckWritableAsync(cancellationToken);
            return HealthCheckResult.Healthy($"{database.Description}: writable");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"{database.Description}: not writable: {ex.Message}");
        }
    }
}
