using System.Text.Json;
using Astra.Dispatch.Rules;
using Dapper;
using Npgsql;
using static Astra.Dispatch.Storage.Postgres.PostgresParameters;

namespace Astra.Dispatch.Storage.Postgres;

/// <summary>
/// People's rule changes in PostgreSQL. Each runs in one transaction that first takes the rule-change advisory lock (so
/// changes and imports from every replica and CLI run one at a time, and revision numbers never collide) and then the
/// rule's row (so a worker pausing it waits): the precondition check, the change, its revision, its audit entry and the
/// generation bump with its NOTIFY are atomic, as SQLite's <c>BEGIN IMMEDIATE</c> makes them.
/// </summary>
internal sealed class PostgresRuleChangeStore(PostgresDatabase database, TimeProvider time) : IRuleChangeStore
{
    public async Task<RuleChangeResult> ApplyAsync(RuleChange change, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await PostgresRuleWrites.LockAsync(connection, tx, cancellationToken);
        var now = time.GetUtcNow();
        var before = await PostgresRuleWrites.GetForUpdateAsync(connection, tx, change.TenantId, change.RuleId, cancellationToken);
        var revisionBefore = await LatestRevisionAsync(connection, tx, change.TenantId, change.RuleId, cancellationToken);
        if (!change.Expected.IsMetBy(before))
            return new RuleChangeResult(RuleChangeOutcome.PreconditionFailed, before, before, revisionBefore, revisionBefore);

        string action;
        switch (change)
        {
            case PutRule put:
                var json = PostgresRuleWrites.Json(put.Rule);
                if (before?.Definition == json)
                    return new RuleChangeResult(RuleChangeOutcome.Unchanged, before, before, revisionBefore, revisionBefore);
                await PostgresRuleWrites.UpsertAsync(connection, tx, put.Rule, json, source: null, now, cancellationToken);
                await PostgresRuleWrites.CheckLimitsAsync(connection, tx, [put.Rule], put.Limits, cancellationToken);
                action = before is null ? RuleActions.Created : RuleActions.Updated;
                break;
            case SetRuleEnabled set:
                if (before is null)
                    return new RuleChangeResult(RuleChangeOutcome.NotFound, null, null, revisionBefore, revisionBefore);
                if (before.Enabled == set.Enabled && before.PausedReason is null)
                    return new RuleChangeResult(RuleChangeOutcome.Unchanged, before, before, revisionBefore, revisionBefore);
                await PostgresRuleWrites.SetEnabledAsync(connection, tx, set.TenantId, set.RuleId, set.Enabled, null, now, cancellationToken);
                action = set.Enabled ? RuleActions.Enabled : RuleActions.Disabled;
                break;
            case DeleteRule:
                if (before is null)
                    return new RuleChangeResult(RuleChangeOutcome.NotFound, null, null, revisionBefore, revisionBefore);
                await PostgresRuleWrites.DeleteAsync(connection, tx, change.TenantId, change.RuleId, cancellationToken);
                action = RuleActions.Deleted;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(change), change.GetType().Name, "unknown rule change");
        }

        var after = await PostgresRuleWrites.GetForUpdateAsync(connection, tx, change.TenantId, change.RuleId, cancellationToken);
        var revisionAfter = await RecordAsync(connection, tx, change.TenantId, change.RuleId, action, after, revisionBefore, change.Actor, change.ActorKeyId, now,
            detail: null, cancellationToken);
        await PostgresRuleWrites.BumpGenerationAsync(connection, tx, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new RuleChangeResult(RuleChangeOutcome.Applied, before, after, revisionBefore, revisionAfter);
    }

    public async Task<ImportSummary> ImportAsync(IReadOnlyList<RuleDefinition> rules, string? source, ImportLimits limits, string actor, string? actorKeyId,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await PostgresRuleWrites.LockAsync(connection, tx, cancellationToken);
        var now = time.GetUtcNow();
        var detail = JsonSerializer.Serialize(new { source = source is null ? null : Path.GetFileName(source) });
        var stored = await StoredAsync(connection, tx, rules, cancellationToken);
        int added = 0, updated = 0, unchanged = 0, removed = 0;
        foreach (var rule in rules)
        {
            var json = PostgresRuleWrites.Json(rule);
            var known = stored.TryGetValue((rule.TenantId, rule.Id), out var row);
            if (known && row.Definition == json)
            {
                unchanged++;
                continue;
            }
            await PostgresRuleWrites.UpsertAsync(connection, tx, rule, json, source, now, cancellationToken);
            var after = await PostgresRuleWrites.GetForUpdateAsync(connection, tx, rule.TenantId, rule.Id, cancellationToken);
            await RecordAsync(connection, tx, rule.TenantId, rule.Id, known && row.Definition is not null ? RuleActions.Updated : RuleActions.Created, after,
                row.Revision, actor, actorKeyId, now, detail, cancellationToken);
            if (known && row.Definition is not null) updated++; else added++;
        }
        IReadOnlyList<(string TenantId, string Id)> missing = source is null ? [] : await PostgresRuleWrites.MissingAsync(connection, tx, rules, source, cancellationToken);
        foreach (var (tenantId, id) in missing)
        {
            var revisionBefore = await LatestRevisionAsync(connection, tx, tenantId, id, cancellationToken);
            removed += await PostgresRuleWrites.DeleteAsync(connection, tx, tenantId, id, cancellationToken);
            await RecordAsync(connection, tx, tenantId, id, RuleActions.Deleted, null, revisionBefore, actor, actorKeyId, now, detail, cancellationToken);
        }
        await PostgresRuleWrites.CheckLimitsAsync(connection, tx, rules, limits, cancellationToken);
        if (added + updated + removed > 0)
            await PostgresRuleWrites.BumpGenerationAsync(connection, tx, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new ImportSummary(added, updated, unchanged, removed);
    }

    public async Task<IReadOnlyList<RuleRevision>> ListRevisionsAsync(string tenantId, string ruleId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<RuleRevision>(new CommandDefinition(
            $"""
            SELECT tenant_id AS TenantId, rule_id AS RuleId, revision, action, actor, {PostgresText.Timestamp("at")} AS At, version, enabled, definition
            FROM rule_revisions WHERE tenant_id = @tenantId AND rule_id = @ruleId ORDER BY revision DESC LIMIT @limit
            """, new { tenantId, ruleId, limit }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>
    /// For every imported (tenant, id) at once: the stored definition (null when the rule does not exist) and the latest
    /// revision (null when it has none; a deleted rule keeps its revisions), so unchanged rules cost no round trip.
    /// </summary>
    private static async Task<Dictionary<(string, string), (string? Definition, long? Revision)>> StoredAsync(NpgsqlConnection connection, NpgsqlTransaction tx,
        IReadOnlyList<RuleDefinition> rules, CancellationToken cancellationToken)
    {
        var stored = new Dictionary<(string, string), (string?, long?)>();
        await using var read = new NpgsqlCommand(
            """
            SELECT k.tenant_id, k.id, r.definition, (SELECT max(v.revision) FROM rule_revisions v WHERE v.tenant_id = k.tenant_id AND v.rule_id = k.id)
            FROM unnest($1::text[], $2::text[]) AS k(tenant_id, id)
            LEFT JOIN rules r ON r.tenant_id = k.tenant_id AND r.id = k.id
            """, connection, tx);
        read.Parameters.Add(Text(rules.Select(r => r.TenantId)));
        read.Parameters.Add(Text(rules.Select(r => r.Id)));
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            stored[(reader.GetString(0), reader.GetString(1))] = (reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetInt64(3));
        }
        return stored;
    }

    private static Task<long?> LatestRevisionAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string tenantId, string ruleId, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT max(revision) FROM rule_revisions WHERE tenant_id = @tenantId AND rule_id = @ruleId",
            new { tenantId, ruleId }, tx, cancellationToken: cancellationToken));

    /// <summary>Writes the rule's next revision (the rule as <paramref name="after"/> left it) and its audit entry; the new revision.</summary>
    private static async Task<long> RecordAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string tenantId, string ruleId, string action,
        StoredRule? after, long? revisionBefore, string actor, string? actorKeyId, DateTimeOffset now, string? detail, CancellationToken cancellationToken)
    {
        var revision = (revisionBefore ?? 0) + 1;
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO rule_revisions (tenant_id, rule_id, revision, action, actor, at, version, enabled, definition)
            VALUES (@tenantId, @ruleId, @revision, @action, @actor, @now, @version, @enabled, @definition)
            """,
            new { tenantId, ruleId, revision, action, actor, now = now.UtcDateTime, version = after?.Version, enabled = after?.Enabled, definition = after?.Definition },
            tx, cancellationToken: cancellationToken));
        await PostgresAuditLog.InsertAsync(connection, tx, new AuditEntry
        {
            At = DeliveryBatch.Timestamp(now),
            Actor = actor,
            ActorKeyId = actorKeyId,
            Action = "rule." + action,
            TenantId = tenantId,
            Target = RuleActions.Target(tenantId, ruleId),
            RevisionBefore = revisionBefore,
            RevisionAfter = revision,
            Detail = detail,
        }, cancellationToken);
        return revision;
    }
}
