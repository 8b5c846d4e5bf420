namespace Astra.Dispatch.Storage;

/// <summary>One change made through the API or the CLI.</summary>
public sealed record AuditEntry
{
    /// <summary>Assigned by the store, increasing.</summary>
    public long Id { get; init; }
    /// <summary>When (UTC, round-trip format).</summary>
    public string At { get; init; } = "";
    /// <summary>Who: <c>key:&lt;key name&gt;</c> or <c>cli:&lt;user&gt;</c>.</summary>
    public string Actor { get; init; } = "";
    /// <summary>The API key that made the change, if one did.</summary>
    public string? ActorKeyId { get; init; }
    /// <summary>What, e.g. <c>rule.updated</c>, <c>key.created</c>, <c>dead-letters.redriven</c>.</summary>
    public string Action { get; init; } = "";
    /// <summary>The tenant the change concerns; null for changes of no one tenant.</summary>
    public string? TenantId { get; init; }
    /// <summary>On what, e.g. <c>rules/acme/crm-new-lead</c>, <c>keys/k7f3…</c>, <c>queues/astra.dispatch.send_error</c>.</summary>
    public string Target { get; init; } = "";
    /// <summary>For rule changes: the rule's revision before the change (null when it had none).</summary>
    public long? RevisionBefore { get; init; }
    /// <summary>For rule changes: the revision the change made.</summary>
    public long? RevisionAfter { get; init; }
    /// <summary>More about it as a JSON object (never a secret).</summary>
    public string? Detail { get; init; }
}

/// <summary>Filters for <see cref="IAuditLog.ListAsync"/>; null means any. <see cref="Before"/> pages backwards by id.</summary>
public sealed record AuditQuery(string? TenantId = null, string? Actor = null, string? Action = null, string? Target = null,
    DateTimeOffset? Since = null, long? Before = null, int Limit = 100);

/// <summary>The audit log: appended to by every change made through the API or the CLI, read newest first.</summary>
public interface IAuditLog
{
    /// <summary>Appends an entry (changes not made in a database transaction of their own, e.g. a redrive on the broker).</summary>
    Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>Entries matching <paramref name="query"/>, newest first.</summary>
    Task<IReadOnlyList<AuditEntry>> ListAsync(AuditQuery query, CancellationToken cancellationToken);
}
