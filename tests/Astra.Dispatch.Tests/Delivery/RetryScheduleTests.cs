using Astra.Dispatch.Delivery;
using Astra.Dispatch.Tests.Support;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Tests.Delivery;

/// <summary>Delays between attempts (the default schedule, a rule's own, Retry-After, jitter) and the deferral back-off.</summary>
public sealed class RetryScheduleTests
{
    private const double AlmostOne = 0.999_999;

    private static RetrySchedule Schedule(double jitter = 0.5, double spread = 0.2) =>
        new(Options.Create(new RetryOptions { Jitter = spread }), new FixedJitter(jitter));

    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 300)]
    [InlineData(3, 1800)]
    [InlineData(4, 7200)]
    [InlineData(5, 18000)]
    [InlineData(6, 36000)]
    [InlineData(7, 36000)]
    public void NextDelay_DefaultSchedule_TheDelayAfterThatAttempt(int attempt, int seconds) =>
        Assert.Equal((S(seconds), S(seconds)), Schedule().NextDelay(ARule.For().Compile(), attempt, null));

    [Fact]
    public void NextDelay_AfterTheLastAttempt_Null()
    {
        var schedule = Schedule();
        var rule = ARule.For().Compile();

        Assert.Equal(8, schedule.MaxAttempts(rule));
        Assert.Null(schedule.NextDelay(rule, 8, null));
        Assert.Null(schedule.NextDelay(rule, 8, S(5)));
    }

    [Fact]
    public void NextDelay_RuleWithItsOwnSchedule_UsesIt()
    {
        var rule = ARule.For().RetryingAfter("1s", "3s").Compile();
        var schedule = Schedule();

        Assert.Equal((S(1), S(1)), schedule.NextDelay(rule, 1, null));
        Assert.Equal((S(3), S(3)), schedule.NextDelay(rule, 2, null));
        Assert.Null(schedule.NextDelay(rule, 3, null));
    }

    [Theory]
    [InlineData(0, 0.8)]
    [InlineData(0.25, 0.9)]
    [InlineData(0.5, 1.0)]
    [InlineData(0.75, 1.1)]
    public void NextDelay_Jitter_SpreadsTheWaitNotTheTier(double jitter, double factor)
    {
        var next = Schedule(jitter).NextDelay(ARule.For().Compile(), 2, null);

        Assert.Equal((S(300), S(300 * factor)), next);
    }

    [Fact]
    public void NextDelay_HighestJitter_JustUnderTheUpperBound()
    {
        var (tier, wait) = Schedule(AlmostOne).NextDelay(ARule.For().Compile(), 2, null)!.Value;

        Assert.Equal(S(300), tier);
        Assert.InRange(wait, S(359.99), S(360) - TimeSpan.FromTicks(1));
    }

    [Fact]
    public void NextDelay_NoJitterConfigured_ExactDelayWhateverTheSource() =>
        Assert.Equal((S(300), S(300)), Schedule(jitter: 0, spread: 0).NextDelay(ARule.For().Compile(), 2, null));

    [Theory]
    [InlineData(1, 1, 5)]
    [InlineData(1, 5, 5)]
    [InlineData(1, 6, 300)]
    [InlineData(4, 60, 300)]
    [InlineData(1, 301, 1800)]
    [InlineData(1, 7200, 7200)]
    [InlineData(7, 0, 5)]
    public void NextDelay_RetryAfter_SmallestTierAtLeastThatLong_WithoutJitterBelowIt(int attempt, int retryAfter, int tier) =>
        Assert.Equal((S(tier), S(tier)), Schedule(jitter: 0).NextDelay(ARule.For().Compile(), attempt, S(retryAfter)));

    [Fact]
    public void NextDelay_RetryAfterBeyondTheLongestTier_CappedAtTheLongest() =>
        Assert.Equal((S(36000), S(36000)), Schedule().NextDelay(ARule.For().Compile(), 1, TimeSpan.FromDays(2)));

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(2, 5)]
    [InlineData(3, 10)]
    [InlineData(4, 30)]
    [InlineData(5, 30)]
    [InlineData(100, 30)]
    public void Defer_ConsecutiveDeferrals_BackOff(int deferralsSoFar, int seconds) =>
        Assert.Equal((S(seconds), S(seconds)), Schedule().Defer(deferralsSoFar));

    [Theory]
    [InlineData(0, 0.8)]
    [InlineData(AlmostOne, 1.2)]
    public void Defer_Jitter_SpreadsTheWait(double jitter, double factor)
    {
        var (tier, wait) = Schedule(jitter).Defer(3);

        Assert.Equal(S(10), tier);
        Assert.Equal(10 * factor, wait.TotalSeconds, precision: 3);
    }

    [Theory]
    [InlineData(0, 3, 5, 4)]
    [InlineData(0, 4.5, 5, 4.5)]
    [InlineData(1, 2, 2, 2)]
    [InlineData(3, 2, 10, 8)]
    [InlineData(0, 20, 30, 24)]
    [InlineData(0, 60, 30, 60)]
    public void Defer_RetryAfter_TierAtLeastThatLongAndNeverAnEarlierWait(int deferralsSoFar, double retryAfter, int tier, double wait) =>
        Assert.Equal((S(tier), S(wait)), Schedule(jitter: 0).Defer(deferralsSoFar, S(retryAfter)));
}
