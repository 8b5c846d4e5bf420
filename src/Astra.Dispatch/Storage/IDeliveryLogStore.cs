namespace Astra.Dispatch.Storage;

/// <summary>The database side of the <see cref="DeliveryLog"/>: one implementation per supported database.</summary>
internal interface IDeliveryLogStore
{
    /// <summary>Commits a batch in one transaction. A succeeded delivery never goes back to another status.</summary>
    Task WriteBatchAsync(IReadOnlyList<DeliveryLogEntry> batch, CancellationToken cancellationToken);

    Task<string?> GetStatusAsync(string deliveryId, CancellationToken cancellationToken);

    Task<IReadOnlySet<string>> FindExistingAsync(IReadOnlyCollection<string> deliveryIds, CancellationToken cancellationToken);

    Task<bool> FailingSinceAsync(string tenantId, string ruleId, DateTimeOffset cutoff, CancellationToken cancellationToken);

    Task<IReadOnlyList<DeliveryRecord>> ListAsync(DeliveryQuery query, CancellationToken cancellationToken);

    Task<DeliveryRecord?> GetAsync(string deliveryId, CancellationToken cancellationToken);

    Task<IReadOnlyList<AttemptRecord>> ListAttemptsAsync(string deliveryId, CancellationToken cancellationToken);

    Task<IReadOnlyDictionary<string, long>> CountByStatusAsync(DateTimeOffset since, CancellationToken cancellationToken);
}
