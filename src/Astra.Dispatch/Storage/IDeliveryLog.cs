namespace Astra.Dispatch.Storage;

/// <summary>
/// The delivery log: every delivery with its status, and every attempt. Writes are queued and committed in batches in
/// the background, so the consumers never wait on the database; reads go to the database.
/// </summary>
public interface IDeliveryLog
{
    /// <summary>Entries committed by this process so far (tests and benchmarks wait on it).</summary>
    long Written { get; }

    /// <summary>Queues a change; it waits only when the writer is far behind (bounded queue).</summary>
    ValueTask AppendAsync(DeliveryLogEntry entry, CancellationToken cancellationToken);

    /// <summary>The delivery's status, or null when it is not in the log.</summary>
    Task<string?> GetStatusAsync(string deliveryId, CancellationToken cancellationToken);

    /// <summary>Which of <paramref name="deliveryIds"/> are in the log, whatever their status.</summary>
    Task<IReadOnlySet<string>> FindExistingAsync(IReadOnlyCollection<string> deliveryIds, CancellationToken cancellationToken);

    /// <summary>
    /// True when the rule has had no successful attempt since <paramref name="cutoff"/> and at least one failed attempt
    /// at or before it with no success in between: every attempt since then has failed.
    /// </summary>
    Task<bool> FailingSinceAsync(string tenantId, string ruleId, DateTimeOffset cutoff, CancellationToken cancellationToken);

    /// <summary>Deliveries matching <paramref name="query"/>, most recently updated first.</summary>
    Task<IReadOnlyList<DeliveryRecord>> ListAsync(DeliveryQuery query, CancellationToken cancellationToken);

    /// <summary>One delivery, or null.</summary>
    Task<DeliveryRecord?> GetAsync(string deliveryId, CancellationToken cancellationToken);

    /// <summary>The delivery's attempts, oldest first.</summary>
    Task<IReadOnlyList<AttemptRecord>> ListAttemptsAsync(string deliveryId, CancellationToken cancellationToken);

    /// <summary>Deliveries updated since <paramref name="since"/>, counted by their current status.</summary>
    Task<IReadOnlyDictionary<string, long>> CountByStatusAsync(DateTimeOffset since, CancellationToken cancellationToken);
}
