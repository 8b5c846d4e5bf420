using Astra.Dispatch.Contracts;

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

    /// <summary>
    /// The batch as set-based statements need it: one row per delivery, as applying its attempts one by one would leave
    /// it (the row stops changing at the first success; attempts only grow), every attempt, one release per claim and
    /// one row per event.
    /// </summary>
    public static BatchRows Fold(IReadOnlyList<DeliveryLogEntry> batch)
    {
        var createdAt = CreatedWithAttempt(batch);
        var rows = new BatchRows();
        var created = new HashSet<string>(StringComparer.Ordinal);
        var folded = new Dictionary<string, FoldedDelivery>(StringComparer.Ordinal);
        var releases = new Dictionary<string, ClaimRelease>(StringComparer.Ordinal);
        var events = new HashSet<(string, string)>();
        foreach (var entry in batch)
        {
            switch (entry)
            {
                case DeliveryCreated c when !createdAt.ContainsKey(c.DeliveryId) && created.Add(c.DeliveryId):
                    rows.Created.Add(c);
                    break;
                case AttemptRecorded a:
                    rows.Attempts.Add(a);
                    if (!folded.TryGetValue(a.DeliveryId, out var row))
                        folded[a.DeliveryId] = new FoldedDelivery(a, a.Attempt, createdAt.GetValueOrDefault(a.DeliveryId, a.At));
                    else if (row.Last.Status != DeliveryStatus.Succeeded)
                        folded[a.DeliveryId] = row with { Last = a, Attempts = Math.Max(row.Attempts, a.Attempt) };
                    if (a.ClaimOwner is { } owner)
                    {
                        var succeeded = a.Status == DeliveryStatus.Succeeded;
                        releases[a.DeliveryId] = releases.TryGetValue(a.DeliveryId, out var earlier)
                            ? new ClaimRelease(a.DeliveryId, owner, succeeded || earlier.Succeeded)
                            : new ClaimRelease(a.DeliveryId, owner, succeeded);
                    }
                    break;
                case EventRecorded e when events.Add((e.TenantId, e.EventId)):
                    rows.Events.Add(e);
                    break;
            }
        }
        // Rows in key order: two replicas writing overlapping batches lock them in the same order.
        rows.Deliveries.AddRange(folded.Values.OrderBy(d => d.Last.DeliveryId, StringComparer.Ordinal));
        rows.Releases.AddRange(releases.Values.OrderBy(r => r.DeliveryId, StringComparer.Ordinal));
        rows.Created.Sort((x, y) => string.CompareOrdinal(x.DeliveryId, y.DeliveryId));
        return rows;
    }

    /// <summary>Timestamps are stored as round-trip UTC text, so text order is time order.</summary>
    public static string Timestamp(DateTimeOffset at) => at.ToUniversalTime().ToString("O");
}

/// <summary>A batch of log entries as rows (see <see cref="DeliveryBatch.Fold"/>).</summary>
internal sealed class BatchRows
{
    public List<DeliveryCreated> Created { get; } = [];
    public List<FoldedDelivery> Deliveries { get; } = [];
    public List<AttemptRecorded> Attempts { get; } = [];
    public List<ClaimRelease> Releases { get; } = [];
    public List<EventRecorded> Events { get; } = [];
}

/// <summary>A delivery's row after a batch: its last attempt that counts, the highest attempt number, its creation time.</summary>
internal sealed record FoldedDelivery(AttemptRecorded Last, int Attempts, DateTimeOffset CreatedAt);

/// <summary>A claim to release after its attempt was recorded; a success makes it final whoever holds it.</summary>
internal sealed record ClaimRelease(string DeliveryId, string Owner, bool Succeeded);
