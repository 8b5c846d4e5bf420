using Astra.Dispatch.Catalog;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Dispatching;
using Astra.Dispatch.Tests.Support;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Tests.Dispatching;

/// <summary>
/// The whole outcome table, as an attempt meets it: an HTTP answer (or none) classified by the contract, judged by the
/// policy on the default schedule (5s, 5m, 30m, 2h, 5h, 10h, 10h: eight attempts).
/// </summary>
public sealed class AttemptPolicyTests
{
    private static readonly RetrySchedule Schedule = new(Options.Create(new RetryOptions()), new FixedJitter(0));
    private static readonly CompiledRule Rule = ARule.For().Compile();

    private static AttemptVerdict Decide(AttemptOutcome outcome, int attempt = 1) => AttemptPolicy.Decide(outcome, Rule, attempt, Schedule);

    private static TimeSpan S(int seconds) => TimeSpan.FromSeconds(seconds);

    [Theory]
    [InlineData(200)]
    [InlineData(201)]
    [InlineData(204)]
    [InlineData(299)]
    public void Decide_2xx_Succeeded(int status) => Assert.IsType<AttemptVerdict.Succeeded>(Decide(Outcomes.Http(status)));

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    [InlineData(308)]
    public void Decide_Redirect_FailsAtOnceWithoutPausing(int status) =>
        Assert.Equal(new AttemptVerdict.Fail($"HTTP {status}", PauseRule: false), Decide(Outcomes.Http(status)));

    [Theory]
    [InlineData(408)]
    [InlineData(425)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public void Decide_TransientCode_RetriedOnTheSchedule(int status)
    {
        Assert.Equal(new AttemptVerdict.Retry(S(5), S(4)), Decide(Outcomes.Http(status), attempt: 1));
        Assert.Equal(new AttemptVerdict.Retry(S(1800), S(1440)), Decide(Outcomes.Http(status), attempt: 3));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(409)]
    [InlineData(422)]
    [InlineData(501)]
    [InlineData(505)]
    public void Decide_OtherClientOrServerError_FailsAtOnceWithoutPausing(int status) =>
        Assert.Equal(new AttemptVerdict.Fail($"HTTP {status}", PauseRule: false), Decide(Outcomes.Http(status)));

    [Fact]
    public void Decide_410Gone_FailsAtOnceAndPausesTheRule() =>
        Assert.Equal(new AttemptVerdict.Fail("HTTP 410", PauseRule: true), Decide(Outcomes.Http(410)));

    [Fact]
    public void Decide_TimeoutOrConnectionError_RetriedOnTheSchedule()
    {
        Assert.Equal(new AttemptVerdict.Retry(S(300), S(240)), Decide(Outcomes.TimedOut, attempt: 2));
        Assert.Equal(new AttemptVerdict.Retry(S(300), S(240)), Decide(Outcomes.ConnectionRefused, attempt: 2));
    }

    [Theory]
    [InlineData(429, 1, 5)]
    [InlineData(429, 6, 300)]
    [InlineData(503, 600, 1800)]
    [InlineData(503, 7200, 7200)]
    [InlineData(429, 86_400, 36_000)]
    public void Decide_RetryAfterSeconds_SmallestTierAtLeastThatLong(int status, int retryAfter, int tier) =>
        Assert.Equal(new AttemptVerdict.Retry(S(tier), S(tier)), Decide(Outcomes.Http(status, Outcomes.Seconds(retryAfter)), attempt: 4));

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public void Decide_RetryAfterHttpDate_SmallestTierAtLeastUntilThen(int status)
    {
        Assert.Equal(new AttemptVerdict.Retry(S(1800), S(1800)), Decide(Outcomes.Http(status, Outcomes.Date(TimeSpan.FromMinutes(10)))));
        Assert.Equal(new AttemptVerdict.Retry(S(5), S(5)), Decide(Outcomes.Http(status, Outcomes.Date(TimeSpan.FromMinutes(-10)))));
    }

    [Theory]
    [InlineData(408)]
    [InlineData(425)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(504)]
    public void Decide_RetryAfterOnAnotherTransientCode_Ignored(int status) =>
        Assert.Equal(new AttemptVerdict.Retry(S(5), S(4)), Decide(Outcomes.Http(status, Outcomes.Seconds(3600))));

    [Fact]
    public void Decide_TransientOnTheLastAttempt_GivesUp()
    {
        Assert.Equal(new AttemptVerdict.Retry(S(36_000), S(28_800)), Decide(Outcomes.Http(503), attempt: 7));
        Assert.Equal(new AttemptVerdict.Fail("gave up after 8 attempts: HTTP 503", PauseRule: false), Decide(Outcomes.Http(503), attempt: 8));
        Assert.Equal(new AttemptVerdict.Fail("gave up after 8 attempts: timed out after 10s", PauseRule: false), Decide(Outcomes.TimedOut, attempt: 8));
        Assert.IsType<AttemptVerdict.Fail>(Decide(Outcomes.Http(429, Outcomes.Seconds(5)), attempt: 8));
    }

    [Fact]
    public void Decide_RuleWithItsOwnSchedule_GivesUpWhenItRunsOut()
    {
        var rule = ARule.For().RetryingAfter("1s", "2s").Compile();

        Assert.Equal(new AttemptVerdict.Retry(S(2), TimeSpan.FromSeconds(1.6)), AttemptPolicy.Decide(Outcomes.Http(500), rule, 2, Schedule));
        Assert.Equal(new AttemptVerdict.Fail("gave up after 3 attempts: HTTP 500", PauseRule: false), AttemptPolicy.Decide(Outcomes.Http(500), rule, 3, Schedule));
    }
}
