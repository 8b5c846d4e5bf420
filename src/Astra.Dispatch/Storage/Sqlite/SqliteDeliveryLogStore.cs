using System.Text;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Astra.Dispatch.Storage.Sqlite;

/// <summary>The delivery log in SQLite: batched writes with prepared statements, hot-path status reads, and the queries operators run.</summary>
internal sealed class SqliteDeliveryLogStore(SqliteDatabase database) : IDeliveryLogStore, IDisposable
{
    private const string Columns =
        "id, event_id AS EventId, event_type AS EventType, rule_id AS RuleId, tenant_id AS TenantId, status, attempts, " +
        "last_status_code AS LastStatusCode, last_error AS LastError, next_attempt_at AS NextAttemptAt, created_at AS CreatedAt, updated_at AS UpdatedAt";

    private readonly SqliteStatusReader _status = new(database);

    public async Task WriteBatchAsync(IReadOnlyList<DeliveryLogEntry> batch, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // In WAL mode NORMAL stays consistent after a crash; only the last commits before a power cut can be lost.
        await connection.ExecuteAsync("PRAGMA synchronous=NORMAL");
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        // Each statement is prepared once per batch and re-bound per entry: parsing SQL per row cost more than the writes.
        using var statements = new SqliteLogStatements(connection, tx);
        var createdAt = DeliveryBatch.CreatedWithAttempt(batch);
        foreach (var entry in batch)
        {
            switch (entry)
            {
                case DeliveryCreated c when !createdAt.ContainsKey(c.DeliveryId):
                    await statements.CreateAsync(c);
                    break;
                case AttemptRecorded a:
                    await statements.RecordAttemptAsync(a, createdAt.GetValueOrDefault(a.DeliveryId, a.At));
                    break;
            }
        }
        await tx.CommitAsync(cancellationToken);
    }

    public Task<string?> GetStatusAsync(string deliveryId, CancellationToken cancellationToken) => _status.GetStatusAsync(deliveryId, cancellationToken);

    public Task<IReadOnlySet<string>> FindExistingAsync(IReadOnlyCollection<string> deliveryIds, CancellationToken cancellationToken) =>
        _status.FindExistingAsync(deliveryIds, cancellationToken);

    public async Task<bool> FailingSinceAsync(string tenantId, string ruleId, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var lastSuccess = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            """
            SELECT max(a.started_at) FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
            WHERE d.tenant_id = @tenantId AND d.rule_id = @ruleId AND a.outcome = 'succeeded'
            """, new { tenantId, ruleId }, cancellationToken: cancellationToken));
        var at = DeliveryBatch.Timestamp(cutoff);
        if (lastSuccess is not null && string.CompareOrdinal(lastSuccess, at) >= 0)
            return false;
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            SELECT EXISTS (SELECT 1 FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
                WHERE d.tenant_id = @tenantId AND d.rule_id = @ruleId AND a.outcome IN ('transient', 'permanent')
                  AND a.started_at <= @at AND a.started_at > @since)
            """, new { tenantId, ruleId, at, since = lastSuccess ?? "" }, cancellationToken: cancellationToken)) == 1;
    }

    public async Task<IReadOnlyList<DeliveryRecord>> ListAsync(DeliveryQuery query, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder($"SELECT {Columns} FROM deliveries WHERE 1 = 1");
        if (query.TenantId is not null)
            sql.Append(" AND tenant_id = @TenantId");
        if (query.Status is not null)
            sql.Append(" AND status = @Status");
        if (query.RuleId is not null)
            sql.Append(" AND rule_id = @RuleId");
        if (query.EventId is not null)
            sql.Append(" AND event_id = @EventId");
        if (query.Since is not null)
            sql.Append(" AND updated_at >= @since");
        sql.Append(" ORDER BY updated_at DESC LIMIT @Limit");
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<DeliveryRecord>(new CommandDefinition(sql.ToString(),
            new { query.TenantId, query.Status, query.RuleId, query.EventId, since = query.Since is { } s ? DeliveryBatch.Timestamp(s) : null, query.Limit },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task<DeliveryRecord?> GetAsync(string deliveryId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<DeliveryRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM deliveries WHERE id = @deliveryId", new { deliveryId }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<AttemptRecord>> ListAttemptsAsync(string deliveryId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<AttemptRecord>(new CommandDefinition(
            """
            SELECT attempt, started_at AS StartedAt, duration_ms AS DurationMs, status_code AS StatusCode, outcome, error, response_excerpt AS ResponseExcerpt,
                trace_id AS TraceId
            FROM attempts WHERE delivery_id = @deliveryId ORDER BY id
            """, new { deliveryId }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task<IReadOnlyDictionary<string, long>> CountByStatusAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Status, long Count)>(new CommandDefinition(
            "SELECT status, COUNT(*) FROM deliveries WHERE updated_at >= @since GROUP BY status", new { since = DeliveryBatch.Timestamp(since) },
            cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.Status, r => r.Count, StringComparer.Ordinal);
    }

    public void Dispose() => _status.Dispose();
}
