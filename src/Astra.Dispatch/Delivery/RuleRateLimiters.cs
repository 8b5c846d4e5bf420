using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Astra.Dispatch.Catalog;
using Astra.Dispatch.Rules;

namespace Astra.Dispatch.Delivery;

/// <summary>
/// Per-rule rate limits (<c>rateLimit: 20/s</c>) as token buckets. A delivery over the limit is never waited on in a
/// send slot: the caller defers it at once, for at least the bucket's time to its next permit.
/// </summary>
internal sealed class RuleRateLimiters : IDisposable
{
    // One bucket per rule; a changed limit replaces it, so the map holds at most one entry per rule that has one.
    private readonly ConcurrentDictionary<string, (RateLimitSpec Spec, TokenBucketRateLimiter Limiter)> _limiters = new(StringComparer.Ordinal);

    /// <summary>Null when a permit was taken (or the rule has no limit); otherwise how long until the next permit.</summary>
    public TimeSpan? TryAcquire(CompiledRule rule)
    {
        if (rule.RateLimit is not { } spec)
            return null;
        var key = $"{rule.TenantId}/{rule.Id}";
        var entry = _limiters.AddOrUpdate(key, _ => (spec, Create(spec)), (_, existing) =>
        {
            if (existing.Spec == spec)
                return existing;
            existing.Limiter.Dispose();
            return (spec, Create(spec));
        });
        using var lease = entry.Limiter.AttemptAcquire(1);
        if (lease.IsAcquired)
            return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : spec.Window / spec.Permits;
    }

    public void Dispose()
    {
        foreach (var (_, limiter) in _limiters.Values)
            limiter.Dispose();
    }

    private static TokenBucketRateLimiter Create(RateLimitSpec spec) => new(new TokenBucketRateLimiterOptions
    {
        TokenLimit = spec.Permits,
        TokensPerPeriod = spec.Permits,
        ReplenishmentPeriod = spec.Window,
        QueueLimit = 0,
        AutoReplenishment = true,
    });
}
