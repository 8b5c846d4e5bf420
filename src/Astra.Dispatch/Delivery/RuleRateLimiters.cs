using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Astra.Dispatch.Catalog;
using Astra.Dispatch.Rules;

namespace Astra.Dispatch.Delivery;

/// <summary>
/// Per-rule rate limits (<c>rateLimit: 20/s</c>) as token buckets, holding for the fleet: each of the N workers on
/// <c>astra.dispatch.send</c> refills at limit ÷ N, a tenth of its window's share at a time (at least one permit), and
/// holds no more than that as a burst; a bucket is rebuilt when N changes. Over time the fleet sends at the limit; in
/// any one window at most the limit plus each worker's burst (limit + N for limits under 10 per window per worker,
/// about 1.1 × the limit above). A delivery over the limit is never waited on in a send slot: the caller defers it at
/// once, for at least the time to the next permit.
/// </summary>
internal sealed class RuleRateLimiters(ISendConsumerCount fleet) : IDisposable
{
    // One bucket per rule; a changed limit or fleet size replaces it, so the map holds at most one entry per rule that has one.
    private readonly ConcurrentDictionary<string, (RateLimitSpec Spec, int Workers, TokenBucketRateLimiter Limiter)> _limiters = new(StringComparer.Ordinal);

    /// <summary>Null when a permit was taken (or the rule has no limit); otherwise how long until the next permit.</summary>
    public TimeSpan? TryAcquire(CompiledRule rule)
    {
        if (rule.RateLimit is not { } spec)
            return null;
        var workers = Math.Max(1, fleet.Current);
        var key = $"{rule.TenantId}/{rule.Id}";
        var entry = _limiters.AddOrUpdate(key, _ => (spec, workers, Create(spec, workers)), (_, existing) =>
        {
            if (existing.Spec == spec && existing.Workers == workers)
                return existing;
            existing.Limiter.Dispose();
            return (spec, workers, Create(spec, workers));
        });
        using var lease = entry.Limiter.AttemptAcquire(1);
        if (lease.IsAcquired)
            return null;
        var share = Share(spec, workers);
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : share.ReplenishmentPeriod / share.TokensPerPeriod;
    }

    public void Dispose()
    {
        foreach (var (_, _, limiter) in _limiters.Values)
            limiter.Dispose();
    }

    /// <summary>
    /// One worker's bucket for <paramref name="spec"/> among <paramref name="workers"/>: <c>k</c> permits every
    /// <c>k × window × workers ÷ limit</c>, k a tenth of the worker's share (at least 1), and a burst of k. A smooth
    /// refill rather than a window's worth at once: a whole window's burst per worker would let N workers send up to
    /// 2 × the limit within one window. Ten refills per window keep the timer cheap at high limits.
    /// </summary>
    internal static TokenBucketRateLimiterOptions Share(RateLimitSpec spec, int workers)
    {
        var tokens = Math.Max(1, spec.Permits / workers / 10);
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = tokens,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = spec.Window * tokens * workers / spec.Permits,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }

    private static TokenBucketRateLimiter Create(RateLimitSpec spec, int workers) => new(Share(spec, workers));
}
