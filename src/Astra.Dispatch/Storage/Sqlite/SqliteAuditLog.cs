using System.Text;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Astra.Dispatch.Storage.Sqlite;

/// <summary>The audit log in SQLite; stores that change something write their entry in their own transaction through <see cref="InsertAsync"/>.</summary>
internal sealed class SqliteAuditLog(SqliteDatabase database) : IAuditLog
{
    private const string Columns =
        "id, at, actor, actor_key_id AS ActorKeyId, action, tenant_id AS TenantId, target, revision_before AS RevisionBefore, revision_after AS RevisionAfter, detail";

    public async Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await InsertAsync(connection, tx, entry);
        await tx.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder($"SELECT {Columns} FROM audit_log WHERE 1 = 1");
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
            new { query.TenantId, query.Actor, query.Action, query.Target, since = query.Since is { } s ? DeliveryBatch.Timestamp(s) : null, query.Before, query.Limit },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public static Task<int> InsertAsync(SqliteConnection connection, SqliteTransaction tx, AuditEntry entry) =>
        connection.ExecuteAsync(
            """
            INSERT INTO audit_log (at, actor, actor_key_id, action, tenant_id, target, revision_before, revision_after, detail)
            VALUES (@At, @Actor, @ActorKeyId, @Action, @TenantId, @Target, @RevisionBefore, @RevisionAfter, @Detail)
            """, entry, tx);
}
