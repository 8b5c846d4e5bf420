using Dapper;
using Microsoft.Data.Sqlite;

namespace Astra.Dispatch.Storage.Sqlite;

/// <summary>API keys in SQLite, looked up by id (the primary key).</summary>
internal sealed class SqliteApiKeyStore(SqliteDatabase database) : IApiKeyStore
{
    private const string Columns =
        "id, name, role, tenant_id AS TenantId, salt, hash, created_at AS CreatedAt, created_by AS CreatedBy, revoked_at AS RevokedAt, last_used_at AS LastUsedAt";

    public async Task CreateAsync(ApiKeyRecord key, AuditEntry audit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            INSERT INTO api_keys (id, name, role, tenant_id, salt, hash, created_at, created_by)
            VALUES (@Id, @Name, @Role, @TenantId, @Salt, @Hash, @CreatedAt, @CreatedBy)
            """, key, tx);
        await SqliteAuditLog.InsertAsync(connection, tx, audit);
        await tx.CommitAsync(cancellationToken);
    }

    public async Task<ApiKeyRecord?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ApiKeyRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM api_keys WHERE id = @id", new { id }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string? tenantId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<ApiKeyRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM api_keys WHERE @tenantId IS NULL OR tenant_id = @tenantId ORDER BY created_at DESC, id",
            new { tenantId }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task<bool> RevokeAsync(string id, DateTimeOffset at, AuditEntry audit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync("UPDATE api_keys SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL",
            new { id, at = DeliveryBatch.Timestamp(at) }, tx);
        if (changed == 0)
            return false;
        await SqliteAuditLog.InsertAsync(connection, tx, audit);
        await tx.CommitAsync(cancellationToken);
        return true;
    }

    public async Task TouchAsync(string id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("UPDATE api_keys SET last_used_at = @at WHERE id = @id",
            new { id, at = DeliveryBatch.Timestamp(at) }, cancellationToken: cancellationToken));
    }
}
