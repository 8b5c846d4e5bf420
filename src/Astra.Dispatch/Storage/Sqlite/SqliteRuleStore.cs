using Astra.Dispatch.Rules;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Astra.Dispatch.Storage.Sqlite;

/// <summary>Rules in SQLite, keyed by (tenant, id). Every change bumps <c>rules_generation</c> so caches in any process reload.</summary>
internal sealed class SqliteRuleStore(SqliteDatabase database, TimeProvider time) : IRuleStore
{
    private const string Columns = SqliteRuleWrites.Columns;

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
            var json = SqliteRuleWrites.Json(rule);
            var existing = await connection.QuerySingleOrDefaultAsync<(string Definition, long Version)?>(
                "SELECT definition, version FROM rules WHERE tenant_id = @TenantId AND id = @Id", new { rule.TenantId, rule.Id }, tx);
            if (existing is { } row && row.Definition == json)
            {
                unchanged++;
                continue;
            }
            await SqliteRuleWrites.UpsertAsync(connection, tx, rule, json, source, now);
            if (existing is null) added++; else updated++;
        }
        var removed = 0;
        IReadOnlyList<(string TenantId, string Id)> missing = source is null ? [] : await SqliteRuleWrites.MissingAsync(connection, tx, rules, source);
        foreach (var (tenantId, id) in missing)
            removed += await SqliteRuleWrites.DeleteAsync(connection, tx, tenantId, id);
        await SqliteRuleWrites.CheckLimitsAsync(connection, tx, rules, limits);
        if (added + updated + removed > 0)
            await BumpGenerationAsync(connection, tx);
        await tx.CommitAsync(cancellationToken);
        return new ImportSummary(added, updated, unchanged, removed);
    }

    public async Task<bool> SetEnabledAsync(string tenantId, string id, bool enabled, string? pausedReason, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var changed = await SqliteRuleWrites.SetEnabledAsync(connection, tx, tenantId, id, enabled, pausedReason, DeliveryBatch.Timestamp(time.GetUtcNow()));
        if (changed > 0)
            await BumpGenerationAsync(connection, tx);
        await tx.CommitAsync(cancellationToken);
        return changed > 0;
    }

    public async Task<bool> DeleteAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var changed = await SqliteRuleWrites.DeleteAsync(connection, tx, tenantId, id);
        if (changed > 0)
            await BumpGenerationAsync(connection, tx);
        await tx.CommitAsync(cancellationToken);
        return changed > 0;
    }

    private static Task<int> BumpGenerationAsync(SqliteConnection connection, SqliteTransaction tx) => SqliteRuleWrites.BumpGenerationAsync(connection, tx);
}
