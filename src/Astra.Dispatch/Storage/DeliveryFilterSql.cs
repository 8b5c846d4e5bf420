using System.Text;

namespace Astra.Dispatch.Storage;

/// <summary>
/// The start of a delivery listing, for the log and the search on both databases: the same columns and the same Dapper
/// parameters (<c>@TenantId</c>, <c>@Status</c>, <c>@RuleId</c>, <c>@EventId</c>, <c>@since</c>) on SQLite and PostgreSQL.
/// The caller appends what is its own (more filters, the order, the page) and binds the values.
/// </summary>
internal static class DeliveryFilterSql
{
    public static StringBuilder Select(string columns, string? tenantId, string? status, string? ruleId, string? eventId, DateTimeOffset? since)
    {
        var sql = new StringBuilder($"SELECT {columns} FROM deliveries WHERE 1 = 1");
        if (tenantId is not null)
            sql.Append(" AND tenant_id = @TenantId");
        if (status is not null)
            sql.Append(" AND status = @Status");
        if (ruleId is not null)
            sql.Append(" AND rule_id = @RuleId");
        if (eventId is not null)
            sql.Append(" AND event_id = @EventId");
        if (since is not null)
            sql.Append(" AND updated_at >= @since");
        return sql;
    }
}
