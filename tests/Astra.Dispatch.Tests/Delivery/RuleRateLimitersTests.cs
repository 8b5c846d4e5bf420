using Astra.Dispatch.Delivery;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Tests.Support;

namespace Astra.Dispatch.Tests.Delivery;

/// <summary>A rule's rateLimit holds for the fleet: each worker on astra.dispatch.send takes its share, never more.</summary>
public sealed class RuleRateLimitersTests
{
    [Theory]
    [InlineData(20, 1, 2, 100)]
    [InlineData(20, 2, 1, 100)]
    [InlineData(20, 3, 1, 150)]
    [InlineData(1000, 2, 50, 100)]
    [InlineData(1, 2, 1, 2000)]
    [InlineData(2, 5, 1, 2500)]
    public void Share_LimitAmongWorkers_TheFleetRefillsAtTheLimit(int permits, int workers, int tokens, int periodMs)
    {
        var share = RuleRateLimiters.Share(new RateLimitSpec(permits, TimeSpan.FromSeconds(1)), workers);

        Assert.Equal((tokens, tokens, TimeSpan.FromMilliseconds(periodMs)), (share.TokenLimit, share.TokensPerPeriod, share.ReplenishmentPeriod));
        Assert.Equal(permits, workers * share.TokensPerPeriod / share.ReplenishmentPeriod.TotalSeconds, 6);
    }

    [Fact]
    public void TryAcquire_FleetGrowsFromOneToTwo_BucketRebuiltWithHalfTheRate()
    {
        var fleet = new Fleet { Current = 1 };
        using var limiters = new RuleRateLimiters(fleet);
        var rule = Some.PostRule("rateLimit: 5/h");

        Assert.Null(limiters.TryAcquire(rule));
        var alone = limiters.TryAcquire(rule);
        fleet.Current = 2;
        Assert.Null(limiters.TryAcquire(rule));
        var shared = limiters.TryAcquire(rule);

        // One permit every 12 minutes alone, every 24 with two workers: the time to the next permit says so.
        Assert.InRange(alone!.Value.TotalMinutes, 11, 12);
        Assert.InRange(shared!.Value.TotalMinutes, 23, 24);
    }

    private sealed class Fleet : ISendConsumerCount
    {
        public int Current { get; set; }
    }
}
