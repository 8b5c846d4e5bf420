using System.Data;
using Astra.Dispatch.Rules;
using Dapper;
using Npgsql;
using static Astra.Dispatch.Storage.Postgres.PostgresParameters;

namespace Astra.Dispatch.Storage.Postgres;

/// <summary>
/// Rules in PostgreSQL, keyed by (tenant, id). Every change bumps <c>rules_generation</c> (polled by every process) and
/// notifies <see cref="NotifyChannel"/> in the same transaction, so listening workers reload at once.
/// </summary>
internal sealed class PostgresRuleStore(PostgresDatabase database, TimeProvider time) : IRuleStore
{
    /// <summary>The LISTEN/NOTIFY channel of rule changes; the payload is the new generation.</summary>
    public const string NotifyChannel = "astra_dispatch_rules";

    private static readonly string Columns = PostgresRuleWrites.Columns;

    public async Task<long> GetGenerationAsync(CancellationToken cancellationToken)
    {
        await using var command = await database.CommandAsync("SELECT generation FROM rules_generation WHERE id = 1", cancellationToken);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<(long Generation, IReadOnlyList<StoredRule> Rules)> LoadAllAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // One snapshot for both reads: the generation is exactly the one of these rules.
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        var generation = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT generation FROM rules_generation WHERE id = 1", transaction: tx,
            cancellationToken: cancellationToken));
        var rules = await connection.QueryAsync<StoredRule>(new CommandDefinition($"SELECT {Columns} FROM rules ORDER BY tenant_id, id", transaction: tx,
            cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
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
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await PostgresRuleWrites.LockAsync(connection, tx, cancellationToken);
        var definitions = rules.Select(r => (Rule: r, Json: PostgresRuleWrites.Json(r))).ToList();
        // One round trip for what is stored, one for what changed: an import of 10,000 rules stays quick.
        var stored = new Dictionary<(string, string), string>();
        await using (var read = new NpgsqlCommand(
            "SELECT r.tenant_id, r.id, r.definition FROM rules r JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, id) ON r.tenant_id = k.tenant_id AND r.id = k.id",
            connection, tx))
        {
            read.Parameters.Add(Text(rules.Select(r => r.TenantId)));
            read.Parameters.Add(Text(rules.Select(r => r.Id)));
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                stored[(reader.GetString(0), reader.GetString(1))] = reader.GetString(2);
        }
        var changed = definitions.Where(d => !stored.TryGetValue((d.Rule.TenantId, d.Rule.Id), out var json) || json != d.Json)
            .OrderBy(d => d.Rule.TenantId, StringComparer.Ordinal).ThenBy(d => d.Rule.Id, StringComparer.Ordinal).ToList();
        var added = changed.Count(d => !stored.ContainsKey((d.Rule.TenantId, d.Rule.Id)));
        var updated = changed.Count - added;
        if (changed.Count > 0)
        {
            await using var upsert = new NpgsqlCommand(
                """
                INSERT INTO rules (tenant_id, id, definition, version, enabled, paused_reason, source, updated_at)
                SELECT tenant_id, id, definition, 1, enabled, NULL, $5, $6
                FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[]) AS r(tenant_id, id, definition, enabled)
                ON CONFLICT (tenant_id, id) DO UPDATE SET definition = excluded.definition, version = rules.version + 1,
                    enabled = excluded.enabled, paused_reason = NULL, source = excluded.source, updated_at = excluded.updated_at
                """, connection, tx);
            upsert.Parameters.Add(Text(changed.Select(d => d.Rule.TenantId)));
            upsert.Parameters.Add(Text(changed.Select(d => d.Rule.Id)));
            upsert.Parameters.Add(Text(changed.Select(d => d.Json)));
            upsert.Parameters.Add(Boolean(changed.Select(d => d.Rule.Enabled)));
            upsert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text, Value = (object?)source ?? DBNull.Value });
            upsert.Parameters.Add(Timestamp(time.GetUtcNow()));
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }
        var removed = source is null ? 0 : await RemoveMissingAsync(connection, tx, rules, source, cancellationToken);
        await PostgresRuleWrites.CheckLimitsAsync(connection, tx, rules, limits, cancellationToken);
        if (added + updated + removed > 0)
            await BumpGenerationAsync(connection, tx, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new ImportSummary(added, updated, rules.Count - changed.Count, removed);
    }

    public async Task<bool> SetEnabledAsync(string tenantId, string id, bool enabled, string? pausedReason, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE rules SET enabled = @enabled, paused_reason = @pausedReason, updated_at = @now WHERE tenant_id = @tenantId AND id = @id",
            new { tenantId, id, enabled, pausedReason, now = time.GetUtcNow().ToUniversalTime() }, tx, cancellationToken: cancellationToken));
        if (changed > 0)
            await BumpGenerationAsync(connection, tx, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return changed > 0;
    }

    public async Task<bool> DeleteAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(new CommandDefinition("DELETE FROM rules WHERE tenant_id = @tenantId AND id = @id", new { tenantId, id }, tx,
            cancellationToken: cancellationToken));
        if (changed > 0)
            await BumpGenerationAsync(connection, tx, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return changed > 0;
    }

    /// <summary>Deletes the rules last imported from <paramref name="source"/> that this import no longer has.</summary>
    private static async Task<int> RemoveMissingAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<RuleDefinition> rules, string source,
        CancellationToken cancellationToken)
    {
        await using var delete = new NpgsqlCommand(
            "DELETE FROM rules WHERE source = $1 AND (tenant_id, id) NOT IN (SELECT * FROM unnest($2::text[], $3::text[]))", connection, tx);
        delete.Parameters.Add(Scalar(source));
        delete.Parameters.Add(Text(rules.Select(r => r.TenantId)));
        delete.Parameters.Add(Text(rules.Select(r => r.Id)));
        return await delete.ExecuteNonQueryAsync(cancellationToken);
    }

    private static Task<int> BumpGenerationAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken cancellationToken) =>
        PostgresRuleWrites.BumpGenerationAsync(connection, tx, cancellationToken);
}
