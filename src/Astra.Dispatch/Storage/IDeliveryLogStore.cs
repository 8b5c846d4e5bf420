namespace Astra.Dispatch.Storage;

/// <summary>The database side of the <see cref="DeliveryLog"/>: one implementation per supported database.</summary>
internal interface IDeliveryLogStore
{
    /// <summary>
    /// Commits a batch in one transaction: deliveries, attempts, events, and the release of the claims the attempts were
    /// sent under. A succeeded delivery never goes back to another status; its creation time never changes.
    /// </summary>
    Task WriteBatchAsync(IReadOnlyList<DeliveryLogEntry> batch, CancellationToken cancellationToken);

    Task<string?> GetStatusAsync(string deliveryId, CancellationToken cancellationToken);

    Task<IReadOnlySet<string>> FindExistingAsync(IReadOnlyCollection<string> deliveryIds, CancellationToken cancellationToken);

    Task<bool> FailingSinceAsync(string tenantId, string ruleId, DateTimeOffset cutoff, CancellationToken cancellationToken);

    Task<IReadOnlyList<DeliveryRecord>> ListAsync(DeliveryQuery query, CancellationToken cancellationToken);

    Task<DeliveryRecord?> GetAsync(string deliveryId, CancellationToken cancellationToken);

    Task<IReadOnlyList<AttemptRecord>> ListAttemptsAsync(string deliveryId, CancellationToken cancellationToken);

    Task<IReadOnlyDictionary<string, long>> CountByStatusAsync(DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>The stored event (JSON), or null when it was never stored or has been pruned.</summary>
    Task<string?> GetEventAsync(string tenantId, string eventId, CancellationToken cancellationToken);

    /// <summary>
    /// Before a resend: the delivery goes back to <c>pending</c> and its claim is no longer final, so the resent command
    /// may claim and send it. False when the delivery does not exist.
    /// </summary>
    Task<bool> ReopenAsync(string deliveryId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Undoes <see cref="ReopenAsync"/> when the resend's command could not be sent: the delivery gets back the status,
    /// next attempt and change time of <paramref name="before"/> (and a success its final claim), unless something has
    /// changed it since (it is no longer the <c>pending</c> the reopen left).
    /// </summary>
    Task RestoreAsync(DeliveryRecord before, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes up to <paramref name="batchSize"/> deliveries last updated before <paramref name="cutoff"/> with their
    /// attempts and claims, then claims and events older than it that no delivery refers to, in one transaction.
    /// </summary>
    Task<PruneResult> PruneAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken);
}

/// <summary>Rows one prune batch deleted.</summary>
internal sealed record PruneResult(int Deliveries, int Attempts, int Claims, int Events)
{
    public int Total => Deliveries + Attempts + Claims + Events;
}
