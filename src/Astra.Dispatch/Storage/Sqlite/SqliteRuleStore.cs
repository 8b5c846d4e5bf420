using System.Text.Json;
using Astra.Dispatch.Rules;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Astra.Dispatch.Storage.Sqlite;

/// <summary>Rules in SQLite, keyed by (tenant, id). Every change bumps <c>rules_generation</c> so caches in any process reload.</summary>
internal sealed class SqliteRuleStore(SqliteDatabase database, TimeProvider time) : IRuleStore
{
    private const string Columns =
        "tenant_id AS TenantId, id, definition, version, enabled, paused_reason AS PausedReason, source, updated_at AS UpdatedAt";

    public async Task<long> GetGenerationAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT generation FROM rules_generation WHERE id = 1", cancellationToken: cancellationToken));
    }

    public async Task<(long Generation, IReadOnlyList<StoredRule> Rules)> LoadAllAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var generation = await connection.ExecuteScalarAsync<long>("SELECT generation FROM rules_generation WHERE id = 1", transaction: tx);
        var rules = await connection.QueryAsync<StoredRule>($"SELECT {Columns} FROM rules ORDER BY tenant_id, id", transaction: tx);
        return (generation, rules.AsList());
    }

    public async Task<StoredRule?> GetAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<StoredRule>(new CommandDefinition(
            $"SELECT {Columns} FROM rules WHERE tenant_id = @tenantId AND id = @id", new { tenantId, id }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<StoredRule>> FindByIdAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<StoredRule>(new CommandDefinition(
            $"SELECT {Columns} FROM rules WHERE id = @id ORDER BY tenant_id", new { id }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task<ImportSummary> ImportAsync(IReadOnlyList<RuleDefinition> rules, string? source, ImportLimits limits, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var now = DeliveryBatch.Timestamp(time.GetUtcNow());
        int added = 0, updated = 0, unchanged = 0;
        foreach (var rule in rules)
        {
            var json = JsonSerializer.Serialize(rule, RuleDocumentReader.JsonOptions);
            var existing = await connection.QuerySingleOrDefaultAsync<(string Definition, long Version)?>(
                "SELECT definition, version FROM rules WHERE tenant_id = @TenantId AND id = @Id", new { rule.TenantId, rule.Id }, tx);
            if (existing is { } row && row.Definition == json)
            {
                unchanged++;
                continue;
            }
            await connection.ExecuteAsync(
                """
                INSERT INTO rules (tenant_id, id, definition, version, enabled, paused_reason, source, updated_at)
                VALUES (@TenantId, @Id, @json, 1, @Enabled, NULL, @source, @now)
                ON CONFLICT (tenant_id, id) DO UPDATE SET definition = excluded.definition, version = rules.version + 1,
                    enabled = excluded.enabled, paused_reason = NULL, source = excluded.source, updated_at = excluded.updated_at
                """,
                new { rule.TenantId, rule.Id, json, rule.Enabled, source, now }, tx);
            if (existing is null) added++; else updated++;
        }
        var removed = source is null ? 0 : await RemoveMissingAsync(connection, tx, rules, source);
        await RuleCounts.CheckAsync(connection, tx, rules, limits.MaxRulesPerTenant);
        DelayTierBudget.Check(await connection.QueryAsync<StoredDelay>(
            "SELECT r.tenant_id AS TenantId, r.id AS Id, CAST(j.value AS TEXT) AS Delay FROM rules AS r, json_each(r.definition, '$.retry.schedule') AS j", transaction: tx), rules, limits);
        if (added + updated + removed > 0)
            await BumpGenerationAsync(connection, tx);
        await tx.CommitAsync(cancellationToken);
        return new ImportSummary(added, updated, unchanged, removed);
    }

    public async Task<bool> SetEnabledAsync(string tenantId, string id, bool enabled, string? pausedReason, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(
            "UPDATE rules SET enabled = @enabled, paused_reason = @pausedReason, updated_at = @now WHERE tenant_id = @tenantId AND id = @id",
            new { tenantId, id, enabled, pausedReason, now = DeliveryBatch.Timestamp(time.GetUtcNow()) }, tx);
        if (changed > 0)
            await BumpGenerationAsync(connection, tx);
        await tx.CommitAsync(cancellationToken);
        return changed > 0;
    }

    public async Task<bool> DeleteAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync("DELETE FROM rules WHERE tenant_id = @tenantId AND id = @id", new { tenantId, id }, tx);
        if (changed > 0)
            await BumpGenerationAsync(connection, tx);
        await tx.CommitAsync(cancellationToken);
        return changed > 0;
    }

    /// <summary>Deletes the rules last imported from <paramref name="source"/> that this import no longer has.</summary>
    private static async Task<int> RemoveMissingAsync(SqliteConnection connection, SqliteTransaction tx, IReadOnlyList<RuleDefinition> rules, string source)
    {
        var kept = rules.Select(r => (r.TenantId, r.Id)).ToHashSet();
        var stored = await connection.QueryAsync<(string TenantId, string Id)>(
            "SELECT tenant_id, id FROM rules WHERE source = @source", new { source }, tx);
        var removed = 0;
        foreach (var (tenantId, id) in stored.Where(r => !kept.Contains(r)))
            removed += await connection.ExecuteAsync("DELETE FROM rules WHERE tenant_id = @tenantId AND id = @id", new { tenantId, id }, tx);
        return removed;
    }

    private static Task<int> BumpGenerationAsync(SqliteConnection connection, SqliteTransaction tx) =>
        connection.ExecuteAsync("UPDATE rules_generation SET generation = generation + 1 WHERE id = 1", transaction: tx);
}
