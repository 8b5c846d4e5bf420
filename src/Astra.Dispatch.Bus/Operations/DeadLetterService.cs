using System.Text.Json;
using Astra.Dispatch.Management;
using Astra.Dispatch.Storage;

namespace Astra.Dispatch.Bus.Operations;

/// <summary>
/// Dead letters as operators see and redrive them, for the CLI (<c>dlq</c>) and the API alike: what a caller may see
/// (<see cref="DeadLetterScope"/>), the redrive selection (ids, rule, since, all), and an audit entry per change.
/// </summary>
public sealed class DeadLetterService(DeadLetterQueue queue, IAuditLog audit, TimeProvider time)
{
    /// <summary>How many messages a scoped listing reads to find a tenant's own (error queues are meant to stay short).</summary>
    public const int MaxScan = 10_000;

    /// <summary>The dead letters of <paramref name="queueName"/> (<c>send</c> or <c>events</c>) the scope may see, up to <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<DeadLetter>> ListAsync(string queueName, DeadLetterScope scope, int limit, CancellationToken cancellationToken)
    {
        var (errorQueue, _) = Resolve(queueName);
        var letters = await queue.PeekAsync(errorQueue, scope == DeadLetterScope.Everything ? limit : MaxScan, cancellationToken);
        return [.. letters.Where(scope.Sees).Take(limit)];
    }

    /// <summary>
    /// Moves the selected dead letters the scope may see back for a fresh attempt with a full retry schedule; the rest
    /// stay in place. One audit entry per tenant whose dead letters moved.
    /// </summary>
    public async Task<RedriveOutcome> RedriveAsync(string queueName, RedriveSelection selection, DeadLetterScope scope, Actor actor,
        Action<int, int>? progress, CancellationToken cancellationToken)
    {
        var (errorQueue, targetQueue) = Resolve(queueName);
        if (selection.Ids.Count == 0 && !selection.All && selection.RuleId is null && selection.Since is null)
            throw ManagementValidationException.Of("ids", "say what to redrive: one or more ids, all, a rule or since");
        var ids = selection.Ids.ToHashSet(StringComparer.Ordinal);
        bool Selected(DeadLetter l) =>
            scope.Sees(l)
            && (ids.Count == 0 || ids.Any(l.HasId))
            && (selection.RuleId is null || l.RuleId == selection.RuleId)
            && (selection.Since is null || l.FailedAt is null || l.FailedAt >= selection.Since);
        var result = await queue.RedriveAsync(errorQueue, targetQueue, Selected, progress, cancellationToken);
        var now = time.GetUtcNow().ToUniversalTime().ToString("O");
        // The messages have moved: their record is written even if the caller has gone meanwhile (no token).
        foreach (var tenant in result.Moved.GroupBy(l => l.TenantId))
        {
            await audit.AppendAsync(new AuditEntry
            {
                At = now,
                Actor = actor.Name,
                ActorKeyId = actor.KeyId,
                Action = "dead-letters.redriven",
                TenantId = tenant.Key,
                Target = $"queues/{errorQueue}",
                Detail = JsonSerializer.Serialize(new
                {
                    count = tenant.Count(),
                    ids = tenant.Take(100).Select(l => l.Id),
                    to = targetQueue,
                    rule = selection.RuleId,
                    since = selection.Since,
                }),
            }, CancellationToken.None);
        }
        var notFound = ids.Where(id => !result.Moved.Any(l => l.HasId(id))).Order(StringComparer.Ordinal).ToList();
        return new RedriveOutcome(result.Moved, result.Kept, targetQueue, notFound);
    }

    /// <summary>Deletes every dead letter of the queue (the CLI's <c>dlq purge</c>; not offered to tenant keys).</summary>
    public async Task<uint> PurgeAsync(string queueName, Actor actor, CancellationToken cancellationToken)
    {
        var (errorQueue, _) = Resolve(queueName);
        var purged = await queue.PurgeAsync(errorQueue, cancellationToken);
        if (purged > 0)
        {
            await audit.AppendAsync(new AuditEntry
            {
                At = time.GetUtcNow().ToUniversalTime().ToString("O"),
                Actor = actor.Name,
                ActorKeyId = actor.KeyId,
                Action = "dead-letters.purged",
                Target = $"queues/{errorQueue}",
                Detail = JsonSerializer.Serialize(new { count = purged }),
            }, CancellationToken.None);
        }
        return purged;
    }

    /// <summary>
    /// Deletes the dead letters of <paramref name="ruleId"/> and/or failed since <paramref name="since"/> (the CLI's
    /// <c>dlq purge --rule/--since</c>, the redrive's selection); the rest stay in place. One audit entry per tenant.
    /// </summary>
    public async Task<RedriveOutcome> PurgeAsync(string queueName, string? ruleId, DateTimeOffset? since, Actor actor, CancellationToken cancellationToken)
    {
        var (errorQueue, _) = Resolve(queueName);
        // Same selection as redrive: a letter without a fault time is not excluded by since.
        var result = await queue.DeleteAsync(errorQueue, l => (ruleId is null || l.RuleId == ruleId)
            && (since is null || l.FailedAt is null || l.FailedAt >= since), cancellationToken);
        var now = time.GetUtcNow().ToUniversalTime().ToString("O");
        // The messages are gone: their record is written even if the caller has gone meanwhile (no token).
        foreach (var tenant in result.Moved.GroupBy(l => l.TenantId))
        {
            await audit.AppendAsync(new AuditEntry
            {
                At = now,
                Actor = actor.Name,
                ActorKeyId = actor.KeyId,
                Action = "dead-letters.purged",
                TenantId = tenant.Key,
                Target = $"queues/{errorQueue}",
                Detail = JsonSerializer.Serialize(new { count = tenant.Count(), ids = tenant.Take(100).Select(l => l.Id), rule = ruleId, since }),
            }, CancellationToken.None);
        }
        return new RedriveOutcome(result.Moved, result.Kept, errorQueue, []);
    }

    private static (string ErrorQueue, string TargetQueue) Resolve(string queueName) =>
        DeadLetterQueue.TryResolve(queueName, out var errorQueue, out var targetQueue)
            ? (errorQueue, targetQueue)
            : throw ManagementValidationException.Of("queue", $"must be send or events, not '{queueName}'");
}

/// <summary>
/// Which dead letters a caller may see and move: a tenant's own only (<see cref="TenantId"/>), or every tenant's, and
/// then also those whose tenant cannot be told (a poison event that is not JSON) when <see cref="Unattributed"/>.
/// </summary>
public sealed record DeadLetterScope(string? TenantId, bool Unattributed)
{
    /// <summary>Everything (the CLI, admin keys without a tenant).</summary>
    public static readonly DeadLetterScope Everything = new(null, true);

    /// <summary>Whether the scope sees <paramref name="letter"/>.</summary>
    public bool Sees(DeadLetter letter) => TenantId is null ? letter.TenantId is not null || Unattributed : letter.TenantId == TenantId;
}

/// <summary>What to redrive: dead letters with one of <see cref="Ids"/> (when any), of <see cref="RuleId"/>, failed since <see cref="Since"/>; <see cref="All"/> when nothing narrows it.</summary>
public sealed record RedriveSelection(IReadOnlyCollection<string> Ids, string? RuleId, DateTimeOffset? Since, bool All);

/// <summary>What a redrive moved, how many it left, where they went, and which asked-for ids were not there.</summary>
public sealed record RedriveOutcome(IReadOnlyList<DeadLetter> Moved, int Kept, string Target, IReadOnlyList<string> NotFound);
