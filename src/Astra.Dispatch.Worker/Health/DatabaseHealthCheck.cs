using Astra.Dispatch.Storage.Sqlite;
using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Astra.Dispatch.Worker.Health;

/// <summary>Ready only if the SQLite file takes a write lock: a read-only mount or a full disk shows up here.</summary>
internal sealed class DatabaseHealthCheck(SqliteDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            // BEGIN IMMEDIATE takes the RESERVED (write) lock without changing anything.
            await connection.ExecuteAsync(new CommandDefinition("BEGIN IMMEDIATE; ROLLBACK;", cancellationToken: cancellationToken));
            return HealthCheckResult.Healthy("database writable");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"database not writable: {ex.Message}");
        }
    }
}
