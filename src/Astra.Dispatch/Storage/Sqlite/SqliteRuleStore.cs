using System.Text.Json;
using Astra.Dispatch.Rules;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Astra.Dispatch.Storage.Sqlite;

/// <summary>Rules in SQLite. Every change bumps <c>rules_generation</c> so caches in any process reload.</summary>
internal sealed class SqliteRuleStore(SqliteDatabase database, TimeProvider time) : IRuleStore
{
    public async Task<long> GetGenerationAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>("SELECT generation FROM rules_generation WHERE id = 1");
    }

    public async Task<(long Generation, IReadOnlyList<StoredRule> Rules)> LoadAllAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var generation = await connection.ExecuteScalarAsync<long>("SELECT generation FROM rules_generation WHERE id = 1", transaction: tx);
        var rules = await connection.QueryAsync<StoredRule>(
            "SELECT id, tenant_id AS TenantId, definition, version, enabled, paused_reason AS PausedReason, source, updated_at AS UpdatedAt FROM rules ORDER BY id",
            transaction: tx);
        return (generation, rules.AsList());
    }

    public async Task<StoredRule?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<StoredRule>(
            "SELECT id, tenant_id AS TenantId, definition, version, enabled, paused_reason AS PausedReason, source, updated_at AS UpdatedAt FROM rules WHERE id = @id",
            new { id });
    }

    public async Task<ImportSummary> ImportAsync(IReadOnlyList<RuleDefinition> rules, string? source, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var now = DeliveryBatch.Timestamp(time.GetUtcNow());
        int added = 0, updated = 0, unchanged = 0;
        foreach (var rule in rules)
        {
            var json = JsonSerializer.Serialize(rule, RuleDocumentReader.JsonOptions);
            var existing = await connection.QuerySingleOrDefaultAsync<(string Definition, long Version)?>(
                "SELECT definition, version FROM rules WHERE id = @Id", new { rule.Id }, tx);
            if (existing is { } row && row.Definition == json)
            {
                unchanged++;
                continue;
            }
            await connection.ExecuteAsync(
                """
                INSERT INTO rules (id, tenant_id, definition, version, enabled, paused_reason, source, updated_at)
                VALUES (@Id, @TenantId, @json, 1, @Enabled, NULL, @source, @now)
                ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id, definition = excluded.definition,
                    version = rules.version + 1, enabled = excluded.enabled, paused_reason = NULL, source = excluded.source, updated_at = excluded.updated_at
                """,
                new { rule.Id, rule.TenantId, json, rule.Enabled, source, now }, tx);
            if (existing is null) added++; else updated++;
        }
        var removed = 0;
        if (source is not null)
        {
            var ids = rules.Select(r => r.Id).ToArray();
            removed = await connection.ExecuteAsync("DELETE FROM rules WHERE source = @source AND id NOT IN @ids", new { source, ids }, tx);
        }
        if (added + updated + removed > 0)
            await BumpGenerationAsync(connection, tx);
        await tx.CommitAsync(cancellationToken);
        return new ImportSummary(added, updated, unchanged, removed);
    }

    public async Task<bool> SetEnabledAsync(string id, bool enabled, string? pausedReason, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(
            "UPDATE rules SET enabled = @enabled, paused_reason = @pausedReason, updated_at = @now WHERE id = @id",
            new { id, enabled, pausedReason, now = DeliveryBatch.Timestamp(time.GetUtcNow()) }, tx);
        if (changed > 0)
            await BumpGenerationAsync(connection, tx);
        await tx.CommitAsync(cancellationToken);
        return changed > 0;
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync("DELETE FROM rules WHERE id = @id", new { id }, tx);
        if (changed > 0)
            await BumpGenerationAsync(connection, tx);
        await tx.CommitAsync(cancellationToken);
        return changed > 0;
    }

    private static Task<int> BumpGenerationAsync(SqliteConnection connection, SqliteTransaction tx) =>
        connection.ExecuteAsync("UPDATE rules_generation SET generation = generation + 1 WHERE id = 1", transaction: tx);
}
