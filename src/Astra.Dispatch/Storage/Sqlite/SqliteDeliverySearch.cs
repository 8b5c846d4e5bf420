using Dapper;

namespace Astra.Dispatch.Storage.Sqlite;

/// <summary>Keyset-paged delivery searches in SQLite (index <c>ix_deliveries_tenant_created</c>, migration 0003).</summary>
internal sealed class SqliteDeliverySearch(SqliteDatabase database) : IDeliverySearch
{
    public async Task<IReadOnlyList<DeliveryRecord>> ListAsync(DeliveryPageQuery query, CancellationToken cancellationToken)
    {
        var sql = DeliveryFilterSql.Select(SqliteDeliveryLogStore.Columns, query.TenantId, query.Status, query.RuleId, query.EventId, query.Since);
        if (query.Until is not null)
            sql.Append(" AND updated_at <= @until");
        if (query.After is not null)
            sql.Append(" AND (created_at < @afterCreated OR (created_at = @afterCreated AND id < @afterId))");
        sql.Append(" ORDER BY created_at DESC, id DESC LIMIT @Limit");
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<DeliveryRecord>(new CommandDefinition(sql.ToString(), new
        {
            query.TenantId, query.Status, query.RuleId, query.EventId, query.Limit,
            since = query.Since is { } s ? DeliveryBatch.Timestamp(s) : null,
            until = query.Until is { } u ? DeliveryBatch.Timestamp(u) : null,
            afterCreated = query.After?.CreatedAt,
            afterId = query.After?.Id,
        }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task<IReadOnlyDictionary<string, long>> CountByStatusAsync(string? tenantId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Status, long Count)>(new CommandDefinition(
            "SELECT status, COUNT(*) FROM deliveries WHERE updated_at >= @since AND (@tenantId IS NULL OR tenant_id = @tenantId) GROUP BY status",
            new { since = DeliveryBatch.Timestamp(since), tenantId }, cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.Status, r => r.Count, StringComparer.Ordinal);
    }

    public async Task<IReadOnlyList<RuleActivity>> ActivityByRuleAsync(string tenantId, DateTimeOffset since, DateTimeOffset recentSince,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<RuleActivity>(new CommandDefinition(
            """
            SELECT rule_id AS RuleId, status AS Status, COUNT(*) AS Count, SUM(updated_at >= @recent) AS Recent, MAX(updated_at) AS LastAt
            FROM deliveries WHERE tenant_id = @tenantId AND updated_at >= @since GROUP BY rule_id, status
            """, new { tenantId, since = DeliveryBatch.Timestamp(since), recent = DeliveryBatch.Timestamp(recentSince) }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task<IReadOnlyList<MinuteCount>> CountPerMinuteAsync(string? tenantId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // Round-trip UTC text: its first 16 characters are the minute.
        var rows = await connection.QueryAsync<MinuteCount>(new CommandDefinition(
            """
            SELECT substr(updated_at, 1, 16) AS Minute, status AS Status, COUNT(*) AS Count FROM deliveries
            WHERE updated_at >= @since AND (@tenantId IS NULL OR tenant_id = @tenantId) GROUP BY 1, 2
            """, new { since = DeliveryBatch.Timestamp(since), tenantId }, cancellationToken: cancellationToken));
        return rows.AsList();
    }
}
