using System.Text.Json;
using Astra.Dispatch.Rules;
using Dapper;
using Npgsql;

namespace Astra.Dispatch.Storage.Postgres;

/// <summary>
/// The rule statements both writers run inside their own transaction: <see cref="PostgresRuleStore"/> (the worker's
/// rules file, pausing) and <see cref="PostgresRuleChangeStore"/> (people's changes, with revisions and audit).
/// </summary>
internal static class PostgresRuleWrites
{
    /// <summary>Serializes imports and people's changes across replicas, so limits and revisions see what is stored.</summary>
    public const long ChangeLockKey = PostgresMigrations.LockKey + 2;

    public static readonly string Columns =
        $"tenant_id AS TenantId, id, definition, version, enabled, paused_reason AS PausedReason, source, {PostgresText.Timestamp("updated_at")} AS UpdatedAt";

    public static string Json(RuleDefinition rule) => JsonSerializer.Serialize(rule, RuleDocumentReader.JsonOptions);

    /// <summary>Takes the change lock until the transaction ends.</summary>
    public static Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@key)", new { key = ChangeLockKey }, tx, cancellationToken: cancellationToken));

    /// <summary>The rule, its row locked until the transaction ends (a worker pausing it meanwhile waits, then changes the stamp).</summary>
    public static Task<StoredRule?> GetForUpdateAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string tenantId, string id, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<StoredRule>(new CommandDefinition(
            $"SELECT {Columns} FROM rules WHERE tenant_id = @tenantId AND id = @id FOR UPDATE", new { tenantId, id }, tx, cancellationToken: cancellationToken));

    /// <summary>
    /// Inserts the rule or replaces its definition (version + 1, enabled as defined, pause cleared, this source). The caller
    /// has checked that the definition differs: an unchanged definition keeps its version and state.
    /// </summary>
    public static Task<int> UpsertAsync(NpgsqlConnection connection, NpgsqlTransaction tx, RuleDefinition rule, string json, string? source, DateTimeOffset now,
        CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO rules (tenant_id, id, definition, version, enabled, paused_reason, source, updated_at)
            VALUES (@TenantId, @Id, @json, 1, @Enabled, NULL, @source, @now)
            ON CONFLICT (tenant_id, id) DO UPDATE SET definition = excluded.definition, version = rules.version + 1,
                enabled = excluded.enabled, paused_reason = NULL, source = excluded.source, updated_at = excluded.updated_at
            """,
            new { rule.TenantId, rule.Id, json = PostgresParameters.Clean(json), rule.Enabled, source, now = now.UtcDateTime }, tx, cancellationToken: cancellationToken));

    public static Task<int> SetEnabledAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string tenantId, string id, bool enabled, string? pausedReason,
        DateTimeOffset now, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "UPDATE rules SET enabled = @enabled, paused_reason = @pausedReason, updated_at = @now WHERE tenant_id = @tenantId AND id = @id",
            new { tenantId, id, enabled, pausedReason, now = now.UtcDateTime }, tx, cancellationToken: cancellationToken));

    public static Task<int> DeleteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string tenantId, string id, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("DELETE FROM rules WHERE tenant_id = @tenantId AND id = @id", new { tenantId, id }, tx,
            cancellationToken: cancellationToken));

    /// <summary>The rules last imported from <paramref name="source"/> that <paramref name="rules"/> no longer has.</summary>
    public static async Task<IReadOnlyList<(string TenantId, string Id)>> MissingAsync(NpgsqlConnection connection, NpgsqlTransaction tx,
        IReadOnlyList<RuleDefinition> rules, string source, CancellationToken cancellationToken)
    {
        var kept = rules.Select(r => (r.TenantId, r.Id)).ToHashSet();
        var stored = await connection.QueryAsync<(string TenantId, string Id)>(new CommandDefinition(
            "SELECT tenant_id, id FROM rules WHERE source = @source ORDER BY tenant_id, id", new { source }, tx, cancellationToken: cancellationToken));
        return [.. stored.Where(r => !kept.Contains(r))];
    }

    /// <summary>
    /// The limits of what a tenant and the whole store may hold, checked inside the change's transaction against what is
    /// stored: the per-tenant rule count, and the distinct retry delays of every stored rule (read from the definitions as
    /// jsonb, as SQLite reads them with <c>json_each</c>).
    /// </summary>
    public static async Task CheckLimitsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<RuleDefinition> rules, ImportLimits limits,
        CancellationToken cancellationToken)
    {
        await RuleCounts.CheckAsync(connection, tx, rules, limits.MaxRulesPerTenant);
        DelayTierBudget.Check(await connection.QueryAsync<StoredDelay>(new CommandDefinition(
            """
            SELECT r.tenant_id AS TenantId, r.id AS Id, d.delay AS Delay
            FROM rules AS r
            CROSS JOIN LATERAL jsonb_array_elements_text(
                CASE WHEN jsonb_typeof(r.definition::jsonb -> 'retry' -> 'schedule') = 'array' THEN r.definition::jsonb -> 'retry' -> 'schedule' END) AS d(delay)
            """,
            transaction: tx, cancellationToken: cancellationToken)), rules, limits);
    }

    /// <summary>The new generation, and a notification that is delivered when (and only if) the transaction commits.</summary>
    public static Task<int> BumpGenerationAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            $"WITH g AS (UPDATE rules_generation SET generation = generation + 1 WHERE id = 1 RETURNING generation) SELECT pg_notify('{PostgresRuleStore.NotifyChannel}', generation::text) FROM g",
            transaction: tx, cancellationToken: cancellationToken));
}
