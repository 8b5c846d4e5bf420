using System.Text;
using Dapper;
using Npgsql;

namespace Astra.Dispatch.Storage.Postgres;

/// <summary>The audit log in PostgreSQL; stores that change something write their entry in their own transaction through <see cref="InsertAsync"/>.</summary>
internal sealed class PostgresAuditLog(PostgresDatabase database) : IAuditLog
{
    private static readonly string Columns =
        $"id, {PostgresText.Timestamp("at")} AS At, actor, actor_key_id AS ActorKeyId, action, tenant_id AS TenantId, target, " +
        "revision_before AS RevisionBefore, revision_after AS RevisionAfter, detail";

    public async Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await InsertAsync(connection, tx, entry, cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder($"SELECT {Columns} FROM audit_log WHERE true");
        if (query.TenantId is not null)
            sql.Append(" AND tenant_id = @TenantId");
        if (query.Actor is not null)
            sql.Append(" AND actor = @Actor");
        if (query.Action is not null)
            sql.Append(" AND action = @Action");
        if (query.Target is not null)
            sql.Append(" AND target = @Target");
        if (query.Since is not null)
            sql.Append(" AND at >= @since");
        if (query.Before is not null)
            sql.Append(" AND id < @Before");
        sql.Append(" ORDER BY id DESC LIMIT @Limit");
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<AuditEntry>(new CommandDefinition(sql.ToString(),
            new { query.TenantId, query.Actor, query.Action, query.Target, since = query.Since?.UtcDateTime, query.Before, query.Limit },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public static Task<int> InsertAsync(NpgsqlConnection connection, NpgsqlTransaction tx, AuditEntry entry, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO audit_log (at, actor, actor_key_id, action, tenant_id, target, revision_before, revision_after, detail)
            VALUES (@at, @Actor, @ActorKeyId, @Action, @TenantId, @Target, @RevisionBefore, @RevisionAfter, @detail)
            """,
            new
            {
                at = PostgresText.Utc(entry.At),
                entry.Actor,
                entry.ActorKeyId,
                entry.Action,
                entry.TenantId,
                entry.Target,
                entry.RevisionBefore,
                entry.RevisionAfter,
                detail = PostgresParameters.Clean(entry.Detail),
            }, tx, cancellationToken: cancellationToken));
}
