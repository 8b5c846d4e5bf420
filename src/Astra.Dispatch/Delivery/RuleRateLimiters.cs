using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Astra.Dispatch.Rules;

namespace Astra.Dispatch.Delivery;

/// <summary>
/// Per-rule, per-worker rate limits (<c>rateLimit: 20/s</c>). Excess deliveries wait their turn, up to a bound;
/// past it the caller defers the delivery instead of failing it.
/// </summary>
public sealed class RuleRateLimiters : IDisposable
{
    private readonly ConcurrentDictionary<(string RuleId, RateLimitSpec Spec), TokenBucketRateLimiter> _limiters = new();

    /// <summary>True once a permit is held (or the rule has no limit); false when the wait would exceed <paramref name="maxWait"/>.</summary>
    public async ValueTask<bool> TryAcquireAsync(CompiledRule rule, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        if (rule.RateLimit is not { } spec)
            return true;
        var limiter = _limiters.GetOrAdd((rule.Id, spec), key => new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = key.Spec.Permits,
            TokensPerPeriod = key.Spec.Permits,
            ReplenishmentPeriod = key.Spec.Window,
            QueueLimit = 100_000,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        }));
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(maxWait);
        try
        {
            using var lease = await limiter.AcquireAsync(1, wait.Token);
            return lease.IsAcquired;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public void Dispose()
    {
        foreach (var limiter in _limiters.Values)
            limiter.Dispose();
    }
}
