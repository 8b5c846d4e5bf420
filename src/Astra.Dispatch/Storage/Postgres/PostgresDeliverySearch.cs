using Dapper;

namespace Astra.Dispatch.Storage.Postgres;

/// <summary>Keyset-paged delivery searches in PostgreSQL (index <c>ix_deliveries_tenant_created</c>, migration 0003).</summary>
internal sealed class PostgresDeliverySearch(PostgresDatabase database) : IDeliverySearch
{
    public async Task<IReadOnlyList<DeliveryRecord>> ListAsync(DeliveryPageQuery query, CancellationToken cancellationToken)
    {
        var sql = DeliveryFilterSql.Select(PostgresDeliveryLogStore.Columns, query.TenantId, query.Status, query.RuleId, query.EventId, query.Since);
        if (query.Until is not null)
            sql.Append(" AND updated_at <= @until");
        // The cursor carries created_at as these rows print it (microseconds, as stored), so it compares exactly.
        if (query.After is not null)
            sql.Append(" AND (created_at, id) < (@afterCreated, @afterId)");
        sql.Append(" ORDER BY deliveries.created_at DESC, id DESC LIMIT @Limit");
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<DeliveryRecord>(new CommandDefinition(sql.ToString(), new
        {
            query.TenantId, query.Status, query.RuleId, query.EventId, query.Limit,
            since = query.Since?.UtcDateTime,
            until = query.Until?.UtcDateTime,
            afterCreated = PostgresText.Utc(query.After?.CreatedAt),
            afterId = query.After?.Id,
        }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task<IReadOnlyDictionary<string, long>> CountByStatusAsync(string? tenantId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Status, long Count)>(new CommandDefinition(
            $"SELECT status, COUNT(*) FROM deliveries WHERE updated_at >= @since {(tenantId is null ? "" : "AND tenant_id = @tenantId")} GROUP BY status",
            new { since = since.UtcDateTime, tenantId }, cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.Status, r => r.Count, StringComparer.Ordinal);
    }

    public async Task<IReadOnlyList<RuleActivity>> ActivityByRuleAsync(string tenantId, DateTimeOffset since, DateTimeOffset recentSince,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<RuleActivity>(new CommandDefinition(
            $"""
            SELECT rule_id AS RuleId, status AS Status, COUNT(*) AS Count, COUNT(*) FILTER (WHERE updated_at >= @recent) AS Recent,
                {PostgresText.Timestamp("MAX(updated_at)")} AS LastAt
            FROM deliveries WHERE tenant_id = @tenantId AND updated_at >= @since GROUP BY rule_id, status
            """, new { tenantId, since = since.UtcDateTime, recent = recentSince.UtcDateTime }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task<IReadOnlyList<MinuteCount>> CountPerMinuteAsync(string? tenantId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // The same minute text as SQLite's (the first 16 characters of the round-trip UTC form).
        var rows = await connection.QueryAsync<MinuteCount>(new CommandDefinition(
            $"""
            SELECT to_char(date_trunc('minute', updated_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24:MI') AS Minute, status AS Status, COUNT(*) AS Count
            FROM deliveries WHERE updated_at >= @since {(tenantId is null ? "" : "AND tenant_id = @tenantId")} GROUP BY 1, 2
            """, new { since = since.UtcDateTime, tenantId }, cancellationToken: cancellationToken));
        return rows.AsList();
    }
}
