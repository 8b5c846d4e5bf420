namespace Astra.Dispatch.Storage;

/// <summary>What every store does the same way with a batch of log entries.</summary>
internal static class DeliveryBatch
{
    /// <summary>
    /// Creation times of the deliveries that also have an attempt in this batch. Their pending row is never written:
    /// the attempt's upsert creates the row with this creation time, which spares a third of the row writes per
    /// delivery when deliveries are fast (they usually land in the same batch as their creation).
    /// </summary>
    public static Dictionary<string, DateTimeOffset> CreatedWithAttempt(IReadOnlyList<DeliveryLogEntry> batch)
    {
        var attempted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in batch)
        {
            if (entry is AttemptRecorded)
                attempted.Add(entry.DeliveryId);
        }
        var createdAt = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var entry in batch)
        {
            if (entry is DeliveryCreated && attempted.Contains(entry.DeliveryId))
                createdAt.TryAdd(entry.DeliveryId, entry.At);
        }
        return createdAt;
    }

    /// <summary>Timestamps are stored as round-trip UTC text, so text order is time order.</summary>
    public static string Timestamp(DateTimeOffset at) => at.ToUniversalTime().ToString("O");
}
