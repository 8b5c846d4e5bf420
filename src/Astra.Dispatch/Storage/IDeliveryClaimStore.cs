namespace Astra.Dispatch.Storage;

/// <summary>The database side of <see cref="DeliveryClaims"/>: one implementation per supported database.</summary>
internal interface IDeliveryClaimStore
{
    /// <summary>
    /// Tries each claim, atomically per delivery: taken when there is no claim row, or it was released, or its lease
    /// expired; never when the delivery succeeded or its rule is not enabled. At most one request per delivery id.
    /// </summary>
    Task<IReadOnlyList<ClaimAnswer>> ClaimAsync(IReadOnlyList<ClaimRequest> requests, CancellationToken cancellationToken);

    /// <summary>Releases a claim nothing was recorded for (an attempt that ended without an outcome).</summary>
    Task ReleaseAsync(string deliveryId, string owner, CancellationToken cancellationToken);
}

/// <summary>A claim on <paramref name="DeliveryId"/> by <paramref name="Owner"/> for <paramref name="Lease"/>, if its rule is enabled.</summary>
internal sealed record ClaimRequest(string DeliveryId, string Owner, string TenantId, string RuleId, TimeSpan Lease);

/// <summary>How a claim went; <paramref name="LeaseUntil"/> is the holder's lease when <see cref="ClaimOutcome.Held"/>.</summary>
internal sealed record ClaimAnswer(string DeliveryId, ClaimOutcome Outcome, DateTimeOffset? LeaseUntil = null);

/// <summary>The outcomes of a claim.</summary>
internal enum ClaimOutcome
{
    /// <summary>Taken: send it, then record the attempt with the claim's owner.</summary>
    Claimed,

    /// <summary>Another attempt holds a live lease on it (a second copy in flight).</summary>
    Held,

    /// <summary>The delivery already succeeded: not to be sent again.</summary>
    Succeeded,

    /// <summary>Its rule is disabled, paused or gone (as stored, whatever this process's cache says).</summary>
    RuleNotEnabled,
}
