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
}

/// <summary>Where a page starts: just after the delivery created at <paramref name="CreatedAt"/> with id <paramref name="Id"/>.</summary>
public sealed record DeliveryPosition(string CreatedAt, string Id);

/// <summary>Filters (null means any) and the page: <see cref="Limit"/> rows after <see cref="After"/>.</summary>
public sealed record DeliveryPageQuery(string? TenantId = null, string? Status = null, string? RuleId = null, string? EventId = null,
    DateTimeOffset? Since = null, DeliveryPosition? After = null, int Limit = 100);
