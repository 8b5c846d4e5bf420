using Microsoft.Data.Sqlite;

namespace Astra.Dispatch.Storage.Sqlite;

/// <summary>The delivery log's SQLite write statements, prepared once per batch transaction and re-bound for every entry.</summary>
internal sealed class SqliteLogStatements : IDisposable
{
    private readonly SqliteCommand _created;
    private readonly SqliteCommand _delivery;
    private readonly SqliteCommand _attempt;
    private readonly SqliteCommand _release;
    private readonly SqliteCommand _event;

    public SqliteLogStatements(SqliteConnection connection, SqliteTransaction transaction)
    {
        _created = Prepare(connection, transaction,
            """
            INSERT INTO deliveries (id, event_id, event_type, rule_id, tenant_id, status, attempts, created_at, updated_at)
            VALUES ($id, $event_id, $event_type, $rule_id, $tenant_id, 'pending', 0, $at, $at)
            ON CONFLICT (id) DO NOTHING
            """,
            "$id", "$event_id", "$event_type", "$rule_id", "$tenant_id", "$at");
        // A succeeded delivery never goes back to another state (a late duplicate attempt cannot undo it).
        _delivery = Prepare(connection, transaction,
            """
            INSERT INTO deliveries (id, event_id, event_type, rule_id, tenant_id, status, attempts, last_status_code, last_error, next_attempt_at, created_at, updated_at)
            VALUES ($id, $event_id, $event_type, $rule_id, $tenant_id, $status, $attempt, $status_code, $error, $next, $created_at, $at)
            ON CONFLICT (id) DO UPDATE SET status = excluded.status, attempts = max(deliveries.attempts, excluded.attempts),
                last_status_code = excluded.last_status_code, last_error = excluded.last_error,
                next_attempt_at = excluded.next_attempt_at, updated_at = excluded.updated_at
            WHERE deliveries.status <> 'succeeded'
            """,
            "$id", "$event_id", "$event_type", "$rule_id", "$tenant_id", "$status", "$attempt", "$status_code", "$error", "$next", "$created_at", "$at");
        _attempt = Prepare(connection, transaction,
            """
            INSERT INTO attempts (delivery_id, attempt, started_at, duration_ms, status_code, outcome, error, response_excerpt, trace_id)
            VALUES ($id, $attempt, $at, $duration_ms, $status_code, $outcome, $error, $response_excerpt, $trace_id)
            """,
            "$id", "$attempt", "$at", "$duration_ms", "$status_code", "$outcome", "$error", "$response_excerpt", "$trace_id");
        // Released by the transaction that records the outcome: a copy that claims after it sees the success.
        _release = Prepare(connection, transaction,
            """
            UPDATE delivery_claims SET succeeded = (succeeded OR $succeeded), owner = CASE WHEN owner = $owner THEN NULL ELSE owner END
            WHERE delivery_id = $id AND (owner = $owner OR $succeeded)
            """,
            "$id", "$owner", "$succeeded");
        _event = Prepare(connection, transaction,
            """
            INSERT INTO events (tenant_id, event_id, event_type, body, stored_at) VALUES ($tenant_id, $event_id, $event_type, $body, $at)
            ON CONFLICT DO NOTHING
            """,
            "$tenant_id", "$event_id", "$event_type", "$body", "$at");
    }

    public Task<int> CreateAsync(DeliveryCreated c) =>
        Execute(_created, c.DeliveryId, c.EventId, c.EventType, c.RuleId, c.TenantId, DeliveryBatch.Timestamp(c.At));

    /// <summary>Records the attempt; <paramref name="createdAt"/> is the delivery's creation time if this creates its row.</summary>
    public async Task RecordAttemptAsync(AttemptRecorded a, DateTimeOffset createdAt)
    {
        var at = DeliveryBatch.Timestamp(a.At);
        await Execute(_delivery, a.DeliveryId, a.EventId, a.EventType, a.RuleId, a.TenantId, a.Status, a.Attempt, a.StatusCode, a.Error,
            a.NextAttemptAt is { } next ? DeliveryBatch.Timestamp(next) : null, DeliveryBatch.Timestamp(createdAt), at);
        await Execute(_attempt, a.DeliveryId, a.Attempt, at, a.DurationMs, a.StatusCode, a.Outcome, a.Error, a.ResponseExcerpt, a.TraceId);
        if (a.ClaimOwner is { } owner)
            await Execute(_release, a.DeliveryId, owner, a.Status == Contracts.DeliveryStatus.Succeeded);
    }

    public Task<int> StoreEventAsync(EventRecorded e) =>
        Execute(_event, e.TenantId, e.EventId, e.EventType, e.Json, DeliveryBatch.Timestamp(e.At));

    public void Dispose()
    {
        _created.Dispose();
        _delivery.Dispose();
        _attempt.Dispose();
        _release.Dispose();
        _event.Dispose();
    }

    private static SqliteCommand Prepare(SqliteConnection connection, SqliteTransaction transaction, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in parameters)
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        command.Prepare();
        return command;
    }

    private static Task<int> Execute(SqliteCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        return command.ExecuteNonQueryAsync();
    }
}
