using Dapper;
using Microsoft.Data.Sqlite;

namespace Astra.Dispatch.Storage.Sqlite;

/// <summary>The delivery log in SQLite: batched writes with prepared statements, hot-path status reads, and the queries operators run.</summary>
internal sealed class SqliteDeliveryLogStore(SqliteDatabase database) : IDeliveryLogStore, IDisposable
{
    internal const string Columns =
        "id, event_id AS EventId, event_type AS EventType, rule_id AS RuleId, tenant_id AS TenantId, status, attempts, " +
        "last_status_code AS LastStatusCode, last_error AS LastError, next_attempt_at AS NextAttemptAt, created_at AS CreatedAt, updated_at AS UpdatedAt";

    private readonly SqliteStatusReader _status = new(database);

    public async Task WriteBatchAsync(IReadOnlyList<DeliveryLogEntry> batch, CancellationToken cancellationToken)
    {
        await database.WriteGate.WaitAsync(cancellationToken);
        try
        {
            await WriteAsync(batch, cancellationToken);
        }
        finally
        {
            database.WriteGate.Release();
        }
    }

    private async Task WriteAsync(IReadOnlyList<DeliveryLogEntry> batch, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
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
                case EventRecorded e:
                    await statements.StoreEventAsync(e);
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
        var sql = DeliveryFilterSql.Select(Columns, query.TenantId, query.Status, query.RuleId, query.EventId, query.Since);
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

    public async Task<string?> GetEventAsync(string tenantId, string eventId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT body FROM events WHERE tenant_id = @tenantId AND event_id = @eventId", new { tenantId, eventId }, cancellationToken: cancellationToken));
    }

    public async Task<bool> ReopenAsync(string deliveryId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await database.WriteGate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            var changed = await connection.ExecuteAsync(
                "UPDATE deliveries SET status = 'pending', next_attempt_at = NULL, updated_at = @at WHERE id = @deliveryId",
                new { deliveryId, at = DeliveryBatch.Timestamp(at) }, tx);
            await connection.ExecuteAsync("UPDATE delivery_claims SET succeeded = 0 WHERE delivery_id = @deliveryId", new { deliveryId }, tx);
            await tx.CommitAsync(cancellationToken);
            return changed > 0;
        }
        finally
        {
            database.WriteGate.Release();
        }
    }

    public async Task RestoreAsync(DeliveryRecord before, CancellationToken cancellationToken)
    {
        await database.WriteGate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            var restored = await connection.ExecuteAsync(
                "UPDATE deliveries SET status = @Status, next_attempt_at = @NextAttemptAt, updated_at = @UpdatedAt WHERE id = @Id AND status = 'pending'",
                new { before.Id, before.Status, before.NextAttemptAt, before.UpdatedAt }, tx);
            if (restored > 0 && before.Status == Contracts.DeliveryStatus.Succeeded)
                await connection.ExecuteAsync("UPDATE delivery_claims SET succeeded = 1 WHERE delivery_id = @Id", new { before.Id }, tx);
            await tx.CommitAsync(cancellationToken);
        }
        finally
        {
            database.WriteGate.Release();
        }
    }

    public async Task<PruneResult> PruneAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken)
    {
        var before = DeliveryBatch.Timestamp(cutoff);
        await database.WriteGate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            // The same oldest rows in all three statements: nothing else writes inside this transaction.
            const string Oldest = "SELECT id FROM deliveries WHERE updated_at < @before ORDER BY updated_at, id LIMIT @batchSize";
            var args = new { before, batchSize };
            var attempts = await connection.ExecuteAsync($"DELETE FROM attempts WHERE delivery_id IN ({Oldest})", args, tx);
            var claims = await connection.ExecuteAsync(
                $"DELETE FROM delivery_claims WHERE delivery_id IN ({Oldest}) OR delivery_id IN (SELECT delivery_id FROM delivery_claims WHERE lease_until < @before LIMIT @batchSize)",
                args, tx);
            var deliveries = await connection.ExecuteAsync($"DELETE FROM deliveries WHERE id IN ({Oldest})", args, tx);
            // Events go once no delivery of theirs is left (a delivery resent lately keeps its event).
            var events = await connection.ExecuteAsync(
                """
                DELETE FROM events WHERE rowid IN (
                    SELECT e.rowid FROM events e WHERE e.stored_at < @before
                        AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.event_id AND d.tenant_id = e.tenant_id)
                    LIMIT @batchSize)
                """, args, tx);
            await tx.CommitAsync(cancellationToken);
            return new PruneResult(deliveries, attempts, claims, events);
        }
        finally
        {
            database.WriteGate.Release();
        }
    }

    public void Dispose() => _status.Dispose();
}
