using Astra.Dispatch.Delivery;
using Astra.Dispatch.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Astra.Dispatch.Tests.Delivery;

public sealed class DestinationBreakerTests
{
    private static readonly Uri Crm = new("https://crm.example.com/leads");
    private static readonly AttemptOutcome TimedOut = new(OutcomeKind.Transient, null, "timed out after 2s", TimeSpan.FromSeconds(2));
    private static readonly AttemptOutcome Refused = new(OutcomeKind.Transient, null, "connection failed: ConnectionRefused", TimeSpan.FromMilliseconds(1));
    private static readonly AttemptOutcome Answered503 = new(OutcomeKind.Transient, 503, "HTTP 503", TimeSpan.FromMilliseconds(5));
    private static readonly AttemptOutcome Ok = new(OutcomeKind.Succeeded, 200, null, TimeSpan.FromMilliseconds(5));

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));

    private DestinationBreaker Breaker(int threshold = 3) => new(
        Options.Create(new HttpDeliveryOptions { BreakerThreshold = threshold, BreakerOpenFor = TimeSpan.FromSeconds(30) }), _time, NullLogger<DestinationBreaker>.Instance);

    [Fact]
    public void Refuse_AfterThresholdUnansweredCallsInARow_FailsFastUntilTheNextProbe()
    {
        var breaker = Breaker();
        breaker.Record(Crm, TimedOut);
        breaker.Record(Crm, Refused);
        Assert.Null(breaker.Refuse(Crm));

        Assert.False(breaker.AnyOpen);
        breaker.Record(Crm, TimedOut);
        Assert.True(breaker.AnyOpen);
        _time.Advance(TimeSpan.FromSeconds(10));

        var refused = breaker.Refuse(Crm);
        Assert.NotNull(refused);
        Assert.True(refused.ShortCircuited);
        Assert.Equal(OutcomeKind.Transient, refused.Kind);
        Assert.Null(refused.StatusCode);
        Assert.Equal("circuit-open", refused.Name);
        Assert.Contains("crm.example.com", refused.Error, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(20), refused.RetryAfter);
    }

    [Fact]
    public void Record_AnyHttpAnswerResetsTheCount_OnlySilenceTrips()
    {
        var breaker = Breaker();
        breaker.Record(Crm, TimedOut);
        breaker.Record(Crm, TimedOut);
        breaker.Record(Crm, Answered503);
        breaker.Record(Crm, TimedOut);
        breaker.Record(Crm, TimedOut);

        Assert.Null(breaker.Refuse(Crm));
    }

    [Fact]
    public void Refuse_OpenFor_ElapsedLetsOneProbeThrough_ItsAnswerCloses()
    {
        var breaker = Breaker();
        Open(breaker);
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Null(breaker.Refuse(Crm));
        Assert.NotNull(breaker.Refuse(Crm));

        breaker.Record(Crm, Ok);
        Assert.False(breaker.AnyOpen);
        Assert.Null(breaker.Refuse(Crm));
        Assert.Null(breaker.Refuse(Crm));
    }

    [Fact]
    public void Refuse_WithoutMayProbe_NeverTakesTheProbe()
    {
        var breaker = Breaker();
        Open(breaker);
        Assert.NotNull(breaker.Refuse(Crm, mayProbe: false));
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Null(breaker.Refuse(Crm, mayProbe: false));
        Assert.Null(breaker.Refuse(Crm));
        Assert.NotNull(breaker.Refuse(Crm));
    }

    [Fact]
    public void Record_ProbeUnanswered_OpensAgainForAnotherPeriod()
    {
        var breaker = Breaker();
        Open(breaker);
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Null(breaker.Refuse(Crm));

        _time.Advance(TimeSpan.FromSeconds(2));
        breaker.Record(Crm, TimedOut);

        Assert.Equal(TimeSpan.FromSeconds(30), breaker.Refuse(Crm)?.RetryAfter);
    }

    [Fact]
    public void Refuse_DestinationsHaveTheirOwnCircuits_AndZeroThresholdTurnsItOff()
    {
        var breaker = Breaker();
        Open(breaker);
        Assert.Null(breaker.Refuse(new Uri("https://crm.example.com:8443/leads")));
        Assert.Null(breaker.Refuse(new Uri("https://analytics.example.com/track")));

        var off = Breaker(threshold: 0);
        for (var i = 0; i < 10; i++)
            off.Record(Crm, TimedOut);
        Assert.Null(off.Refuse(Crm));
    }

    [Fact]
    public void NextDelay_CircuitOpenRetryAfter_GoesToTheFirstTierPastTheNextProbe()
    {
        var schedule = new RetrySchedule(Options.Create(new RetryOptions()), new FixedJitter());

        var next = schedule.NextDelay(Some.PostRule(), 1, TimeSpan.FromSeconds(20));

        Assert.Equal((TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5)), next);
    }

    /// <summary>Three timeouts in a row: the threshold of <see cref="Breaker"/>.</summary>
    private static void Open(DestinationBreaker breaker)
    {
        for (var i = 0; i < 3; i++)
            breaker.Record(Crm, TimedOut);
    }
}
