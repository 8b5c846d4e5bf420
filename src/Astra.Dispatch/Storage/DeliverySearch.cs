namespace Astra.Dispatch.Storage;

/// <summary>
/// Searches of the delivery log for people (the API, the console), in pages: newest first by creation time then id, which
/// never change once a delivery is logged, so paging with <see cref="DeliveryPageQuery.After"/> neither skips nor repeats
/// a delivery however the log changes meanwhile (deliveries logged after the first page are not in that walk).
/// </summary>
public interface IDeliverySearch
{
    /// <summary>One page of deliveries matching <paramref name="query"/>.</summary>
    Task<IReadOnlyList<DeliveryRecord>> ListAsync(DeliveryPageQuery query, CancellationToken cancellationToken);

    /// <summary>Deliveries updated since <paramref name="since"/> (of one tenant, when given), counted by their current status.</summary>
    Task<IReadOnlyDictionary<string, long>> CountByStatusAsync(string? tenantId, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>
    /// A tenant's deliveries updated since <paramref name="since"/>, per rule and status: how many, how many of them since
    /// <paramref name="recentSince"/>, and the latest change (the console's rules page: last outcome, recent failure rate).
    /// </summary>
    Task<IReadOnlyList<RuleActivity>> ActivityByRuleAsync(string tenantId, DateTimeOffset since, DateTimeOffset recentSince, CancellationToken cancellationToken);

    /// <summary>Deliveries updated since <paramref name="since"/> (of one tenant, when given), counted per minute of their last change and status.</summary>
    Task<IReadOnlyList<MinuteCount>> CountPerMinuteAsync(string? tenantId, DateTimeOffset since, CancellationToken cancellationToken);
}

/// <summary>One rule's deliveries in one status: <see cref="Count"/> in the whole window, <see cref="Recent"/> in its recent part, the latest change.</summary>
public sealed record RuleActivity
{
    /// <summary>The rule.</summary>
    public string RuleId { get; init; } = "";
    /// <summary>The deliveries' current status.</summary>
    public string Status { get; init; } = "";
    /// <summary>How many changed in the whole window.</summary>
    public long Count { get; init; }
    /// <summary>How many of them changed in its recent part.</summary>
    public long Recent { get; init; }
    /// <summary>The latest change (UTC, round-trip format).</summary>
    public string LastAt { get; init; } = "";
}

/// <summary>Deliveries whose last change fell in the minute starting at <see cref="Minute"/> (UTC, <c>yyyy-MM-ddTHH:mm</c>), by status.</summary>
public sealed record MinuteCount
{
    /// <summary>The minute, <c>yyyy-MM-ddTHH:mm</c> (UTC).</summary>
    public string Minute { get; init; } = "";
    /// <summary>The deliveries' status.</summary>
    public string Status { get; init; } = "";
    /// <summary>How many.</summary>
    public long Count { get; init; }
}

/// <summary>Where a page starts: just after the delivery created at <paramref name="CreatedAt"/> with id <paramref name="Id"/>.</summary>
public sealed record DeliveryPosition(string CreatedAt, string Id);

/// <summary>
/// Filters (null means any; <see cref="Since"/> and <see cref="Until"/> bound the last change) and the page: <see cref="Limit"/>
/// rows after <see cref="After"/>.
/// </summary>
public sealed record DeliveryPageQuery(string? TenantId = null, string? Status = null, string? RuleId = null, string? EventId = null,
    DateTimeOffset? Since = null, DeliveryPosition? After = null, int Limit = 100, DateTimeOffset? Until = null);
