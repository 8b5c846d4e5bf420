using Astra.Dispatch.Delivery;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Tests.Support;

namespace Astra.Dispatch.Tests.Delivery;

/// <summary>A rule's rateLimit holds for the fleet: each worker on astra.dispatch.send takes its share, never more.</summary>
public sealed class RuleRateLimitersTests
{
    [Theory]
    [InlineData(20, 1, 20, 1000)]
    [InlineData(20, 2, 10, 1000)]
    [InlineData(20, 3, 6, 1000)]
    [InlineData(1, 2, 1, 2000)]
    [InlineData(2, 5, 1, 2500)]
    public void Share_LimitAmongWorkers_NeverAboveTheLimitTogether(int permits, int workers, int tokens, int periodMs)
    {
        var share = RuleRateLimiters.Share(new RateLimitSpec(permits, TimeSpan.FromSeconds(1)), workers);

        Assert.Equal((tokens, tokens, TimeSpan.FromMilliseconds(periodMs)), (share.TokenLimit, share.TokensPerPeriod, share.ReplenishmentPeriod));
        Assert.True(workers * share.TokensPerPeriod / share.ReplenishmentPeriod.TotalSeconds <= permits);
    }

    [Fact]
    public void TryAcquire_FleetGrowsFromOneToTwo_BucketRebuiltWithHalfTheLimit()
    {
        var fleet = new Fleet { Current = 1 };
        using var limiters = new RuleRateLimiters(fleet);
        var rule = Some.PostRule("rateLimit: 10/min");

        var alone = Enumerable.Range(0, 20).Count(_ => limiters.TryAcquire(rule) is null);
        fleet.Current = 2;
        var shared = Enumerable.Range(0, 20).Count(_ => limiters.TryAcquire(rule) is null);

        Assert.Equal((10, 5), (alone, shared));
        Assert.NotNull(limiters.TryAcquire(rule));
    }

    private sealed class Fleet : ISendConsumerCount
    {
        public int Current { get; set; }
    }
}
