using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Astra.Dispatch.Catalog;
using Astra.Dispatch.Rules;

namespace Astra.Dispatch.Delivery;

/// <summary>
/// Per-rule rate limits (<c>rateLimit: 20/s</c>) as token buckets, holding for the fleet: each of the N workers on
/// <c>astra.dispatch.send</c> takes ⌊limit ÷ N⌋ permits per window (or, when the limit is below N, one permit every
/// N ÷ limit windows), so together they stay at or under the limit; a bucket is rebuilt when N changes. A delivery
/// over the limit is never waited on in a send slot: the caller defers it at once, for at least the time to the next permit.
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

    /// <summary>One worker's share of <paramref name="spec"/> among <paramref name="workers"/>, never more than its part of the limit.</summary>
    internal static TokenBucketRateLimiterOptions Share(RateLimitSpec spec, int workers)
    {
        var (tokens, period) = spec.Permits >= workers ? (spec.Permits / workers, spec.Window) : (1, spec.Window * workers / spec.Permits);
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = tokens,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }

    private static TokenBucketRateLimiter Create(RateLimitSpec spec, int workers) => new(Share(spec, workers));
}
