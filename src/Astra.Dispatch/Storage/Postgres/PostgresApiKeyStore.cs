using Dapper;

namespace Astra.Dispatch.Storage.Postgres;

/// <summary>API keys in PostgreSQL, looked up by id (the primary key).</summary>
internal sealed class PostgresApiKeyStore(PostgresDatabase database) : IApiKeyStore
{
    private static readonly string Columns =
        $"id, name, role, tenant_id AS TenantId, salt, hash, {PostgresText.Timestamp("created_at")} AS CreatedAt, created_by AS CreatedBy, " +
        $"{PostgresText.Timestamp("revoked_at")} AS RevokedAt, {PostgresText.Timestamp("last_used_at")} AS LastUsedAt";

    public async Task CreateAsync(ApiKeyRecord key, AuditEntry audit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO api_keys (id, name, role, tenant_id, salt, hash, created_at, created_by)
            VALUES (@Id, @Name, @Role, @TenantId, @Salt, @Hash, @createdAt, @CreatedBy)
            """,
            new { key.Id, key.Name, key.Role, key.TenantId, key.Salt, key.Hash, createdAt = PostgresText.Utc(key.CreatedAt), key.CreatedBy },
            tx, cancellationToken: cancellationToken));
        await PostgresAuditLog.InsertAsync(connection, tx, audit, cancellationToken);
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
        // The filter is built, not "@tenantId IS NULL OR …": PostgreSQL cannot type a parameter that is only compared with NULL.
        var rows = await connection.QueryAsync<ApiKeyRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM api_keys {(tenantId is null ? "" : "WHERE tenant_id = @tenantId")} ORDER BY api_keys.created_at DESC, id",
            new { tenantId }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task<bool> RevokeAsync(string id, DateTimeOffset at, AuditEntry audit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(new CommandDefinition("UPDATE api_keys SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL",
            new { id, at = at.UtcDateTime }, tx, cancellationToken: cancellationToken));
        if (changed == 0)
            return false;
        await PostgresAuditLog.InsertAsync(connection, tx, audit, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return true;
    }

    public async Task TouchAsync(string id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("UPDATE api_keys SET last_used_at = @at WHERE id = @id",
            new { id, at = at.UtcDateTime }, cancellationToken: cancellationToken));
    }
}
