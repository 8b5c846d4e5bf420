using System.Text.Json;
using Astra.Dispatch.Rules;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Astra.Dispatch.Storage.Sqlite;

/// <summary>
/// The rule statements both writers run inside their own transaction: <see cref="SqliteRuleStore"/> (the worker's rules
/// file, pausing) and <see cref="SqliteRuleChangeStore"/> (people's changes, with revisions and audit).
/// </summary>
internal static class SqliteRuleWrites
{
    public const string Columns =
        "tenant_id AS TenantId, id, definition, version, enabled, paused_reason AS PausedReason, source, updated_at AS UpdatedAt";

    public static string Json(RuleDefinition rule) => JsonSerializer.Serialize(rule, RuleDocumentReader.JsonOptions);

    public static Task<StoredRule?> GetAsync(SqliteConnection connection, SqliteTransaction tx, string tenantId, string id) =>
        connection.QuerySingleOrDefaultAsync<StoredRule>($"SELECT {Columns} FROM rules WHERE tenant_id = @tenantId AND id = @id", new { tenantId, id }, tx);

    /// <summary>
    /// Inserts the rule or replaces its definition (version + 1, enabled as defined, pause cleared, this source). The caller
    /// has checked that the definition differs: an unchanged definition keeps its version and state.
    /// </summary>
    public static Task<int> UpsertAsync(SqliteConnection connection, SqliteTransaction tx, RuleDefinition rule, string json, string? source, string now) =>
        connection.ExecuteAsync(
            """
            INSERT INTO rules (tenant_id, id, definition, version, enabled, paused_reason, source, updated_at)
            VALUES (@TenantId, @Id, @json, 1, @Enabled, NULL, @source, @now)
            ON CONFLICT (tenant_id, id) DO UPDATE SET definition = excluded.definition, version = rules.version + 1,
                enabled = excluded.enabled, paused_reason = NULL, source = excluded.source, updated_at = excluded.updated_at
            """,
            new { rule.TenantId, rule.Id, json, rule.Enabled, source, now }, tx);

    public static Task<int> SetEnabledAsync(SqliteConnection connection, SqliteTransaction tx, string tenantId, string id, bool enabled, string? pausedReason, string now) =>
        connection.ExecuteAsync(
            "UPDATE rules SET enabled = @enabled, paused_reason = @pausedReason, updated_at = @now WHERE tenant_id = @tenantId AND id = @id",
            new { tenantId, id, enabled, pausedReason, now }, tx);

    public static Task<int> DeleteAsync(SqliteConnection connection, SqliteTransaction tx, string tenantId, string id) =>
        connection.ExecuteAsync("DELETE FROM rules WHERE tenant_id = @tenantId AND id = @id", new { tenantId, id }, tx);

    /// <summary>The rules last imported from <paramref name="source"/> that <paramref name="rules"/> no longer has.</summary>
    public static async Task<IReadOnlyList<(string TenantId, string Id)>> MissingAsync(SqliteConnection connection, SqliteTransaction tx,
        IReadOnlyList<RuleDefinition> rules, string source)
    {
        var kept = rules.Select(r => (r.TenantId, r.Id)).ToHashSet();
        var stored = await connection.QueryAsync<(string TenantId, string Id)>("SELECT tenant_id, id FROM rules WHERE source = @source", new { source }, tx);
        return [.. stored.Where(r => !kept.Contains(r))];
    }

    /// <summary>The limits of what a tenant and the whole store may hold, checked inside the change's transaction against what is stored.</summary>
    public static async Task CheckLimitsAsync(SqliteConnection connection, SqliteTransaction tx, IReadOnlyList<RuleDefinition> rules, ImportLimits limits)
    {
        await RuleCounts.CheckAsync(connection, tx, rules, limits.MaxRulesPerTenant);
        DelayTierBudget.Check(await connection.QueryAsync<StoredDelay>(
            "SELECT r.tenant_id AS TenantId, r.id AS Id, CAST(j.value AS TEXT) AS Delay FROM rules AS r, json_each(r.definition, '$.retry.schedule') AS j",
            transaction: tx), rules, limits);
    }

    public static Task<int> BumpGenerationAsync(SqliteConnection connection, SqliteTransaction tx) =>
        connection.ExecuteAsync("UPDATE rules_generation SET generation = generation + 1 WHERE id = 1", transaction: tx);
}
