using System.Text.Json;
using Astra.Dispatch.Rules;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Astra.Dispatch.Storage.Sqlite;

/// <summary>
/// People's rule changes in SQLite. Each runs in one <c>BEGIN IMMEDIATE</c> transaction (the provider's default), which
/// takes the write lock before the rule is read: the precondition check, the change, its revision, its audit entry and
/// the generation bump are atomic, also against another process (a replica, the CLI) editing the same file.
/// </summary>
internal sealed class SqliteRuleChangeStore(SqliteDatabase database, TimeProvider time) : IRuleChangeStore
{
    public async Task<RuleChangeResult> ApplyAsync(RuleChange change, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var now = DeliveryBatch.Timestamp(time.GetUtcNow());
        var before = await SqliteRuleWrites.GetAsync(connection, tx, change.TenantId, change.RuleId);
        var revisionBefore = await LatestRevisionAsync(connection, tx, change.TenantId, change.RuleId);
        if (!change.Expected.IsMetBy(before))
            return new RuleChangeResult(RuleChangeOutcome.PreconditionFailed, before, before, revisionBefore, revisionBefore);

        string action;
        switch (change)
        {
            case PutRule put:
                var json = SqliteRuleWrites.Json(put.Rule);
                if (before?.Definition == json)
                    return new RuleChangeResult(RuleChangeOutcome.Unchanged, before, before, revisionBefore, revisionBefore);
                await SqliteRuleWrites.UpsertAsync(connection, tx, put.Rule, json, source: null, now);
                await SqliteRuleWrites.CheckLimitsAsync(connection, tx, [put.Rule], put.Limits);
                action = before is null ? RuleActions.Created : RuleActions.Updated;
                break;
            case SetRuleEnabled set:
                if (before is null)
                    return new RuleChangeResult(RuleChangeOutcome.NotFound, null, null, revisionBefore, revisionBefore);
                if (before.Enabled == set.Enabled && before.PausedReason is null)
                    return new RuleChangeResult(RuleChangeOutcome.Unchanged, before, before, revisionBefore, revisionBefore);
                await SqliteRuleWrites.SetEnabledAsync(connection, tx, set.TenantId, set.RuleId, set.Enabled, null, now);
                action = set.Enabled ? RuleActions.Enabled : RuleActions.Disabled;
                break;
            case DeleteRule:
                if (before is null)
                    return new RuleChangeResult(RuleChangeOutcome.NotFound, null, null, revisionBefore, revisionBefore);
                await SqliteRuleWrites.DeleteAsync(connection, tx, change.TenantId, change.RuleId);
                action = RuleActions.Deleted;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(change), change.GetType().Name, "unknown rule change");
        }

        var after = await SqliteRuleWrites.GetAsync(connection, tx, change.TenantId, change.RuleId);
        var revisionAfter = await RecordAsync(connection, tx, change.TenantId, change.RuleId, action, after, revisionBefore, change.Actor, change.ActorKeyId, now,
            detail: null);
        await SqliteRuleWrites.BumpGenerationAsync(connection, tx);
        await tx.CommitAsync(cancellationToken);
        return new RuleChangeResult(RuleChangeOutcome.Applied, before, after, revisionBefore, revisionAfter);
    }

    public async Task<ImportSummary> ImportAsync(IReadOnlyList<RuleDefinition> rules, string? source, ImportLimits limits, string actor, string? actorKeyId,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var now = DeliveryBatch.Timestamp(time.GetUtcNow());
        var detail = JsonSerializer.Serialize(new { source = source is null ? null : Path.GetFileName(source) });
        int added = 0, updated = 0, unchanged = 0, removed = 0;
        foreach (var rule in rules)
        {
            var json = SqliteRuleWrites.Json(rule);
            var before = await SqliteRuleWrites.GetAsync(connection, tx, rule.TenantId, rule.Id);
            if (before?.Definition == json)
            {
                unchanged++;
                continue;
            }
            await SqliteRuleWrites.UpsertAsync(connection, tx, rule, json, source, now);
            var after = await SqliteRuleWrites.GetAsync(connection, tx, rule.TenantId, rule.Id);
            await RecordAsync(connection, tx, rule.TenantId, rule.Id, before is null ? RuleActions.Created : RuleActions.Updated, after,
                await LatestRevisionAsync(connection, tx, rule.TenantId, rule.Id), actor, actorKeyId, now, detail);
            if (before is null) added++; else updated++;
        }
        IReadOnlyList<(string TenantId, string Id)> missing = source is null ? [] : await SqliteRuleWrites.MissingAsync(connection, tx, rules, source);
        foreach (var (tenantId, id) in missing)
        {
            var revisionBefore = await LatestRevisionAsync(connection, tx, tenantId, id);
            removed += await SqliteRuleWrites.DeleteAsync(connection, tx, tenantId, id);
            await RecordAsync(connection, tx, tenantId, id, RuleActions.Deleted, null, revisionBefore, actor, actorKeyId, now, detail);
        }
        await SqliteRuleWrites.CheckLimitsAsync(connection, tx, rules, limits);
        if (added + updated + removed > 0)
            await SqliteRuleWrites.BumpGenerationAsync(connection, tx);
        await tx.CommitAsync(cancellationToken);
        return new ImportSummary(added, updated, unchanged, removed);
    }

    public async Task<IReadOnlyList<RuleRevision>> ListRevisionsAsync(string tenantId, string ruleId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<RuleRevision>(new CommandDefinition(
            """
            SELECT tenant_id AS TenantId, rule_id AS RuleId, revision, action, actor, at, version, enabled, definition
            FROM rule_revisions WHERE tenant_id = @tenantId AND rule_id = @ruleId ORDER BY revision DESC LIMIT @limit
            """, new { tenantId, ruleId, limit }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    private static Task<long?> LatestRevisionAsync(SqliteConnection connection, SqliteTransaction tx, string tenantId, string ruleId) =>
        connection.ExecuteScalarAsync<long?>("SELECT max(revision) FROM rule_revisions WHERE tenant_id = @tenantId AND rule_id = @ruleId",
            new { tenantId, ruleId }, tx);

    /// <summary>Writes the rule's next revision (the rule as <paramref name="after"/> left it) and its audit entry; the new revision.</summary>
    private static async Task<long> RecordAsync(SqliteConnection connection, SqliteTransaction tx, string tenantId, string ruleId, string action,
        StoredRule? after, long? revisionBefore, string actor, string? actorKeyId, string now, string? detail)
    {
        var revision = (revisionBefore ?? 0) + 1;
        await connection.ExecuteAsync(
            """
            INSERT INTO rule_revisions (tenant_id, rule_id, revision, action, actor, at, version, enabled, definition)
            VALUES (@tenantId, @ruleId, @revision, @action, @actor, @now, @version, @enabled, @definition)
            """,
            new { tenantId, ruleId, revision, action, actor, now, version = after?.Version, enabled = after?.Enabled, definition = after?.Definition }, tx);
        await SqliteAuditLog.InsertAsync(connection, tx, new AuditEntry
        {
            At = now,
            Actor = actor,
            ActorKeyId = actorKeyId,
            Action = "rule." + action,
            TenantId = tenantId,
            Target = RuleActions.Target(tenantId, ruleId),
            RevisionBefore = revisionBefore,
            RevisionAfter = revision,
            Detail = detail,
        });
        return revision;
    }
}
