using System.Text;
using Dapper;

namespace Astra.Dispatch.Storage;

/// <summary>Reads of the delivery log.</summary>
public sealed class DeliveryStore(SqliteDatabase database)
{
    private const string Columns =
        "id, event_id AS EventId, event_type AS EventType, rule_id AS RuleId, tenant_id AS TenantId, status, attempts, " +
        "last_status_code AS LastStatusCode, last_error AS LastError, next_attempt_at AS NextAttemptAt, created_at AS CreatedAt, updated_at AS UpdatedAt";

    /// <summary>
    /// True when the rule has had no successful attempt since <paramref name="cutoff"/> and at least one failed
    /// attempt at or before it with no success in between: every attempt since then has failed.
    /// </summary>
    public async Task<bool> FailingSinceAsync(string ruleId, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // Timestamps are written as UTC round-trip strings, so text order is time order.
        var lastSuccess = await connection.ExecuteScalarAsync<string?>(
            """
            SELECT max(a.started_at) FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
            WHERE d.rule_id = @ruleId AND a.outcome = 'succeeded'
            """, new { ruleId });
        var at = cutoff.ToUniversalTime().ToString("O");
        if (lastSuccess is not null && string.CompareOrdinal(lastSuccess, at) >= 0)
            return false;
        return await connection.ExecuteScalarAsync<long>(
            """
            SELECT EXISTS (SELECT 1 FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
                WHERE d.rule_id = @ruleId AND a.outcome IN ('transient', 'permanent')
                  AND a.started_at <= @at AND a.started_at > @since)
            """, new { ruleId, at, since = lastSuccess ?? "" }) == 1;
    }

    /// <summary>Most recently updated deliveries first.</summary>
    public async Task<IReadOnlyList<DeliveryRecord>> ListAsync(DeliveryQuery query, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder($"SELECT {Columns} FROM deliveries WHERE 1 = 1");
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
        var rows = await connection.QueryAsync<DeliveryRecord>(sql.ToString(),
            new { query.Status, query.RuleId, query.EventId, since = Timestamp(query.Since), query.Limit });
        return rows.AsList();
    }

    public async Task<DeliveryRecord?> GetAsync(string deliveryId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<DeliveryRecord>($"SELECT {Columns} FROM deliveries WHERE id = @deliveryId", new { deliveryId });
    }

    public async Task<IReadOnlyList<AttemptRecord>> ListAttemptsAsync(string deliveryId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<AttemptRecord>(
            """
            SELECT attempt, started_at AS StartedAt, duration_ms AS DurationMs, status_code AS StatusCode, outcome, error, response_excerpt AS ResponseExcerpt
            FROM attempts WHERE delivery_id = @deliveryId ORDER BY id
            """, new { deliveryId });
        return rows.AsList();
    }

    /// <summary>Deliveries updated since a time, counted by their current status.</summary>
    public async Task<IReadOnlyDictionary<string, long>> CountByStatusAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Status, long Count)>(
            "SELECT status, COUNT(*) FROM deliveries WHERE updated_at >= @since GROUP BY status", new { since = Timestamp(since) });
        return rows.ToDictionary(r => r.Status, r => r.Count, StringComparer.Ordinal);
    }

    // Timestamps are stored as round-trip UTC strings, so string order is time order.
    private static string? Timestamp(DateTimeOffset? at) => at?.ToUniversalTime().ToString("O");
}
