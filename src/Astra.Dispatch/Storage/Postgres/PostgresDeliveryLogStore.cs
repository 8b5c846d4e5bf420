using Astra.Dispatch.Contracts;
using Dapper;
using static Astra.Dispatch.Storage.Postgres.PostgresParameters;

namespace Astra.Dispatch.Storage.Postgres;

/// <summary>
/// The delivery log in PostgreSQL. A batch is one round trip: its rows go as arrays into set-based statements
/// (<c>unnest</c>), run as one implicit transaction; the hot-path reads are single statements on pooled, auto-prepared
/// connections.
/// </summary>
internal sealed class PostgresDeliveryLogStore(PostgresDatabase database) : IDeliveryLogStore
{
    internal static readonly string Columns =
        "id, event_id AS EventId, event_type AS EventType, rule_id AS RuleId, tenant_id AS TenantId, status, attempts, " +
        "last_status_code AS LastStatusCode, last_error AS LastError, " +
        $"{PostgresText.Timestamp("next_attempt_at")} AS NextAttemptAt, {PostgresText.Timestamp("created_at")} AS CreatedAt, " +
        $"{PostgresText.Timestamp("updated_at")} AS UpdatedAt";

    public async Task WriteBatchAsync(IReadOnlyList<DeliveryLogEntry> batch, CancellationToken cancellationToken)
    {
        var rows = DeliveryBatch.Fold(batch);
        await using var command = await database.BatchAsync(cancellationToken);
        if (rows.Events.Count > 0)
        {
            command.BatchCommands.Add(Command(
                """
                INSERT INTO events (tenant_id, event_id, event_type, body, stored_at)
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[]) ON CONFLICT DO NOTHING
                """,
                Text(rows.Events.Select(e => e.TenantId)), Text(rows.Events.Select(e => e.EventId)), Text(rows.Events.Select(e => e.EventType)),
                Text(rows.Events.Select(e => e.Json)), Timestamp(rows.Events.Select(e => (DateTimeOffset?)e.At))));
        }
        if (rows.Created.Count > 0)
        {
            command.BatchCommands.Add(Command(
                """
                INSERT INTO deliveries (id, event_id, event_type, rule_id, tenant_id, status, attempts, created_at, updated_at)
                SELECT id, event_id, event_type, rule_id, tenant_id, 'pending', 0, at, at
                FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) AS r(id, event_id, event_type, rule_id, tenant_id, at)
                ON CONFLICT (id) DO NOTHING
                """,
                Text(rows.Created.Select(c => c.DeliveryId)), Text(rows.Created.Select(c => c.EventId)), Text(rows.Created.Select(c => c.EventType)),
                Text(rows.Created.Select(c => c.RuleId)), Text(rows.Created.Select(c => c.TenantId)), Timestamp(rows.Created.Select(c => (DateTimeOffset?)c.At))));
        }
        if (rows.Deliveries.Count > 0)
        {
            var d = rows.Deliveries;
            // A succeeded delivery never goes back to another state (a late duplicate attempt cannot undo it).
            command.BatchCommands.Add(Command(
                """
                INSERT INTO deliveries (id, event_id, event_type, rule_id, tenant_id, status, attempts, last_status_code, last_error, next_attempt_at, created_at, updated_at)
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::integer[], $8::integer[], $9::text[],
                    $10::timestamptz[], $11::timestamptz[], $12::timestamptz[])
                ON CONFLICT (id) DO UPDATE SET status = excluded.status, attempts = GREATEST(deliveries.attempts, excluded.attempts),
                    last_status_code = excluded.last_status_code, last_error = excluded.last_error,
                    next_attempt_at = excluded.next_attempt_at, updated_at = excluded.updated_at
                WHERE deliveries.status <> 'succeeded'
                """,
                Text(d.Select(r => r.Last.DeliveryId)), Text(d.Select(r => r.Last.EventId)), Text(d.Select(r => r.Last.EventType)),
                Text(d.Select(r => r.Last.RuleId)), Text(d.Select(r => r.Last.TenantId)), Text(d.Select(r => r.Last.Status)),
                Integer(d.Select(r => (int?)r.Attempts)), Integer(d.Select(r => r.Last.StatusCode)), Text(d.Select(r => r.Last.Error)),
                Timestamp(d.Select(r => r.Last.NextAttemptAt)), Timestamp(d.Select(r => (DateTimeOffset?)r.CreatedAt)), Timestamp(d.Select(r => (DateTimeOffset?)r.Last.At))));
            var a = rows.Attempts;
            command.BatchCommands.Add(Command(
                """
                INSERT INTO attempts (delivery_id, attempt, started_at, duration_ms, status_code, outcome, error, response_excerpt, trace_id)
                SELECT delivery_id, attempt, started_at, duration_ms, status_code, outcome, error, response_excerpt, trace_id
                FROM unnest($1::text[], $2::integer[], $3::timestamptz[], $4::float8[], $5::integer[], $6::text[], $7::text[], $8::text[], $9::text[])
                    WITH ORDINALITY AS r(delivery_id, attempt, started_at, duration_ms, status_code, outcome, error, response_excerpt, trace_id, n)
                ORDER BY n
                """,
                Text(a.Select(r => r.DeliveryId)), Integer(a.Select(r => (int?)r.Attempt)), Timestamp(a.Select(r => (DateTimeOffset?)r.At)),
                Double(a.Select(r => r.DurationMs)), Integer(a.Select(r => r.StatusCode)), Text(a.Select(r => r.Outcome)), Text(a.Select(r => r.Error)),
                Text(a.Select(r => r.ResponseExcerpt)), Text(a.Select(r => r.TraceId))));
        }
        if (rows.Releases.Count > 0)
        {
            // Released by the transaction that records the outcome: a copy that claims after it sees the success.
            command.BatchCommands.Add(Command(
                """
                UPDATE delivery_claims c SET succeeded = c.succeeded OR r.succeeded, owner = CASE WHEN c.owner = r.owner THEN NULL ELSE c.owner END
                FROM unnest($1::text[], $2::text[], $3::boolean[]) AS r(id, owner, succeeded)
                WHERE c.delivery_id = r.id AND (c.owner = r.owner OR r.succeeded)
                """,
                Text(rows.Releases.Select(r => r.DeliveryId)), Text(rows.Releases.Select(r => r.Owner)), Boolean(rows.Releases.Select(r => r.Succeeded))));
        }
        if (command.BatchCommands.Count == 0)
            return;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<string?> GetStatusAsync(string deliveryId, CancellationToken cancellationToken)
    {
        await using var command = await database.CommandAsync("SELECT status FROM deliveries WHERE id = $1", cancellationToken);
        command.Parameters.Add(Scalar(deliveryId));
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public async Task<IReadOnlySet<string>> FindExistingAsync(IReadOnlyCollection<string> deliveryIds, CancellationToken cancellationToken)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        if (deliveryIds.Count == 0)
            return found;
        await using var command = await database.CommandAsync("SELECT id FROM deliveries WHERE id = ANY($1)", cancellationToken);
        command.Parameters.Add(Text(deliveryIds));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            found.Add(reader.GetString(0));
        return found;
    }

    public async Task<bool> FailingSinceAsync(string tenantId, string ruleId, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var lastSuccess = await connection.ExecuteScalarAsync<DateTime?>(new CommandDefinition(
            """
            SELECT max(a.started_at) FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
            WHERE d.tenant_id = @tenantId AND d.rule_id = @ruleId AND a.outcome = 'succeeded'
            """, new { tenantId, ruleId }, cancellationToken: cancellationToken));
        var at = cutoff.ToUniversalTime();
        if (lastSuccess is { } success && new DateTimeOffset(DateTime.SpecifyKind(success, DateTimeKind.Utc)) >= at)
            return false;
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            """
            SELECT EXISTS (SELECT 1 FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
                WHERE d.tenant_id = @tenantId AND d.rule_id = @ruleId AND a.outcome IN ('transient', 'permanent')
                  AND a.started_at <= @at AND (@since::timestamptz IS NULL OR a.started_at > @since))
            """,
            new { tenantId, ruleId, at, since = lastSuccess is { } s ? new DateTimeOffset(DateTime.SpecifyKind(s, DateTimeKind.Utc)) : (DateTimeOffset?)null },
            cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<DeliveryRecord>> ListAsync(DeliveryQuery query, CancellationToken cancellationToken)
    {
        var sql = DeliveryFilterSql.Select(Columns, query.TenantId, query.Status, query.RuleId, query.EventId, query.Since);
        sql.Append(" ORDER BY updated_at DESC LIMIT @Limit");
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<DeliveryRecord>(new CommandDefinition(sql.ToString(),
            new { query.TenantId, query.Status, query.RuleId, query.EventId, since = query.Since?.ToUniversalTime(), query.Limit },
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
            $"""
            SELECT attempt, {PostgresText.Timestamp("started_at")} AS StartedAt, duration_ms AS DurationMs, status_code AS StatusCode, outcome, error,
                response_excerpt AS ResponseExcerpt, trace_id AS TraceId
            FROM attempts WHERE delivery_id = @deliveryId ORDER BY id
            """, new { deliveryId }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task<IReadOnlyDictionary<string, long>> CountByStatusAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Status, long Count)>(new CommandDefinition(
            "SELECT status, COUNT(*) FROM deliveries WHERE updated_at >= @since GROUP BY status", new { since = since.ToUniversalTime() },
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
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE deliveries SET status = @pending, next_attempt_at = NULL, updated_at = @at WHERE id = @deliveryId",
            new { deliveryId, at = at.ToUniversalTime(), pending = DeliveryStatus.Pending }, tx, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE delivery_claims SET succeeded = false WHERE delivery_id = @deliveryId", new { deliveryId }, tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return changed > 0;
    }

    public async Task RestoreAsync(DeliveryRecord before, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var restored = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE deliveries SET status = @Status, next_attempt_at = @next, updated_at = @updated WHERE id = @Id AND status = @pending",
            new { before.Id, before.Status, next = PostgresText.Utc(before.NextAttemptAt), updated = PostgresText.Utc(before.UpdatedAt), pending = DeliveryStatus.Pending },
            tx, cancellationToken: cancellationToken));
        if (restored > 0 && before.Status == DeliveryStatus.Succeeded)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE delivery_claims SET succeeded = true WHERE delivery_id = @Id", new { before.Id }, tx, cancellationToken: cancellationToken));
        }
        await tx.CommitAsync(cancellationToken);
    }

    public async Task<PruneResult> PruneAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        // One pruner at a time across replicas; the others skip this round instead of deleting the same rows.
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_try_advisory_xact_lock(@key)",
            new { key = PostgresMigrations.LockKey + 1 }, tx, cancellationToken: cancellationToken)))
            return new PruneResult(0, 0, 0, 0);
        var result = await connection.QuerySingleAsync<(int Deliveries, int Attempts, int Claims)>(new CommandDefinition(
            """
            WITH gone AS (
                DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries WHERE updated_at < @cutoff ORDER BY updated_at LIMIT @batchSize)
                RETURNING id),
            attempts_gone AS (DELETE FROM attempts WHERE delivery_id IN (SELECT id FROM gone) RETURNING 1),
            claims_gone AS (
                DELETE FROM delivery_claims WHERE delivery_id IN (SELECT id FROM gone)
                    OR delivery_id IN (SELECT delivery_id FROM delivery_claims WHERE lease_until < @cutoff LIMIT @batchSize)
                RETURNING 1)
            SELECT (SELECT count(*) FROM gone)::int, (SELECT count(*) FROM attempts_gone)::int, (SELECT count(*) FROM claims_gone)::int
            """, new { cutoff = cutoff.ToUniversalTime(), batchSize }, tx, commandTimeout: 120, cancellationToken: cancellationToken));
        // Events go once no delivery of theirs is left (a delivery resent lately keeps its event).
        var events = await connection.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM events WHERE (tenant_id, event_id) IN (
                SELECT e.tenant_id, e.event_id FROM events e WHERE e.stored_at < @cutoff
                    AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.event_id AND d.tenant_id = e.tenant_id)
                LIMIT @batchSize)
            """, new { cutoff = cutoff.ToUniversalTime(), batchSize }, tx, commandTimeout: 120, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return new PruneResult(result.Deliveries, result.Attempts, result.Claims, events);
    }
}
