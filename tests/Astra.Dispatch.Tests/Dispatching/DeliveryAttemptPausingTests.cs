using Astra.Dispatch.Contracts;
using Astra.Dispatch.Dispatching;
using Astra.Dispatch.Tests.Support;

namespace Astra.Dispatch.Tests.Dispatching;

/// <summary>Attempts that pause their rule: 410 Gone at once, or every delivery failing for <c>Dispatch:Delivery:PauseAfter</c>.</summary>
public sealed class DeliveryAttemptPausingTests : IDisposable
{
    private readonly DispatchHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task RunAsync_410Gone_FailsAndPausesTheRule_ItsNextCommandIsNotSent()
    {
        await _h.AddRulesAsync(ARule.For());
        _h.Sender.Answer(Outcomes.Http(410));
        var command = DispatchHarness.Command();

        var decision = await _h.RunAsync(command);

        var fail = Assert.IsType<DeliveryDecision.Fail>(decision);
        Assert.Equal(("HTTP 410", (int?)410), (fail.Result.Error, fail.LastStatus));
        var reason = $"endpoint answered 410 Gone for delivery {command.DeliveryId}";
        Assert.Equal(new RulePaused { RuleId = "r1", TenantId = "acme", Reason = reason, PausedAt = Outcomes.Now }, decision.Paused);
        var stored = await _h.Store.GetAsync("acme", "r1", _h.Token);
        Assert.Equal((false, reason), (stored?.Enabled, stored?.PausedReason));
        Assert.False(_h.Catalog.Current.Find("acme", "r1")?.Enabled);

        var next = await _h.RunAsync(DispatchHarness.Command(eventId: "evt_2"));

        Assert.Equal($"rule r1 is paused: {reason}", Assert.IsType<DeliveryDecision.Fail>(next).Result.Error);
        Assert.Single(_h.Sender.Sent);
    }

    [Fact]
    public async Task RunAsync_EveryDeliveryFailingForPauseAfter_PausesTheRule_CheckedAtMostOncePerInterval()
    {
        // PauseAfter 1h: the streak is checked at most once a minute per rule.
        _h.Retry.PauseAfter = TimeSpan.FromHours(1);
        await _h.AddRulesAsync(ARule.For());
        var start = _h.Time.GetUtcNow();

        Assert.Null(await FailAsync("evt_1"));
        _h.Time.Advance(TimeSpan.FromMinutes(59.5));
        Assert.Null(await FailAsync("evt_2"));
        _h.Time.Advance(TimeSpan.FromSeconds(45));
        Assert.True(await _h.Log.FailingSinceAsync("acme", "r1", _h.Time.GetUtcNow() - TimeSpan.FromHours(1), _h.Token));
        Assert.Null(await FailAsync("evt_3"));
        _h.Time.Advance(TimeSpan.FromSeconds(15));

        var paused = await FailAsync("evt_4");

        Assert.Equal(new RulePaused { RuleId = "r1", TenantId = "acme", Reason = "every delivery has failed for 1h", PausedAt = start.AddMinutes(60.5) }, paused);
        Assert.False(_h.Catalog.Current.Find("acme", "r1")?.Enabled);
    }

    [Fact]
    public async Task RunAsync_ASuccessWithinPauseAfter_TheRuleStaysEnabled()
    {
        _h.Retry.PauseAfter = TimeSpan.FromHours(1);
        await _h.AddRulesAsync(ARule.For());

        await FailAsync("evt_1");
        _h.Time.Advance(TimeSpan.FromMinutes(30));
        Assert.IsType<DeliveryDecision.Delivered>(await _h.RunAsync(DispatchHarness.Command(eventId: "evt_2")));
        _h.Time.Advance(TimeSpan.FromMinutes(31));

        Assert.Null(await FailAsync("evt_3"));
        Assert.True(_h.Catalog.Current.Find("acme", "r1")?.Enabled);
    }

    /// <summary>A first attempt answered 503; the rule it paused, if any.</summary>
    private async Task<RulePaused?> FailAsync(string eventId)
    {
        _h.Sender.Answer(Outcomes.Http(503));
        var decision = await _h.RunAsync(DispatchHarness.Command(eventId: eventId));
        return Assert.IsType<DeliveryDecision.Retry>(decision).Paused;
    }
}
