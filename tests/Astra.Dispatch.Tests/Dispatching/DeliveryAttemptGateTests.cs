using Astra.Dispatch.Delivery;
using Astra.Dispatch.Dispatching;
using Astra.Dispatch.Tests.Support;

namespace Astra.Dispatch.Tests.Dispatching;

/// <summary>Attempts the gate holds back: deferred (rate limit, tenant cap, busy destination) or refused (circuit open).</summary>
public sealed class DeliveryAttemptGateTests : IDisposable
{
    private readonly DispatchHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task RunAsync_RateLimitReached_DeferredForAtLeastTheLimitersRetryAfter_NotSent()
    {
        await _h.AddRulesAsync(ARule.For().LimitedTo("1/min"));
        await _h.RunAsync(DispatchHarness.Command(eventId: "evt_1"));

        var decision = await _h.RunAsync(DispatchHarness.Command(eventId: "evt_2"));

        Assert.Equal(new DeliveryDecision.Defer(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), AttemptsSoFar: 0, Deferrals: 1, "rate limit reached"), decision);
        Assert.Single(_h.Sender.Sent);
        Assert.Single(_h.Log.Attempts);
    }

    [Fact]
    public async Task RunAsync_TenantAtItsCap_DeferredWhileOtherTenantsGoOn()
    {
        _h.Http.MaxConcurrencyPerTenant = 1;
        await _h.AddRulesAsync(ARule.For("r1", "acme"), ARule.For("r2", "globex"));
        var held = _h.Sender.Hold();
        var inFlight = _h.RunAsync(DispatchHarness.Command("r1", "acme", "evt_1"));
        await _h.Sender.WaitForSentAsync(1).WaitAsync(_h.Token);
        Assert.Single(_h.Sender.Sent);

        var deferred = await _h.RunAsync(DispatchHarness.Command("r1", "acme", "evt_2"), new AttemptInfo(1, 2, MayBeHandled: true));
        var other = await _h.RunAsync(DispatchHarness.Command("r2", "globex", "evt_3"));

        Assert.Equal(new DeliveryDecision.Defer(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), AttemptsSoFar: 1, Deferrals: 3, "tenant at its concurrency cap"), deferred);
        Assert.IsType<DeliveryDecision.Delivered>(other);
        held.SetResult(Outcomes.Ok);
        Assert.IsType<DeliveryDecision.Delivered>(await inFlight);
        Assert.IsType<DeliveryDecision.Delivered>(await _h.RunAsync(DispatchHarness.Command("r1", "acme", "evt_2")));
        Assert.Equal(["evt_1", "evt_3", "evt_2"], _h.Sender.Sent.Select(c => c.EventId));
    }

    [Fact]
    public async Task RunAsync_DestinationBusy_DeferredWithoutHoldingTheTenantsSlot()
    {
        _h.Http.MaxConcurrencyPerDestination = 1;
        _h.Http.MaxConcurrencyPerTenant = 2;
        _h.Http.DestinationWait = TimeSpan.Zero;
        await _h.AddRulesAsync(ARule.For("r1"), ARule.For("r2").To("https://analytics.example.com/track"));
        var held = _h.Sender.Hold();
        var inFlight = _h.RunAsync(DispatchHarness.Command("r1", eventId: "evt_1"));
        await _h.Sender.WaitForSentAsync(1).WaitAsync(_h.Token);

        var busy = await _h.RunAsync(DispatchHarness.Command("r1", eventId: "evt_2"));
        var elsewhere = await _h.RunAsync(DispatchHarness.Command("r2", eventId: "evt_3", url: "https://analytics.example.com/track"));

        Assert.Equal(new DeliveryDecision.Defer(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 0, 1, "destination busy"), busy);
        Assert.IsType<DeliveryDecision.Delivered>(elsewhere);
        held.SetResult(Outcomes.Ok);
        await inFlight;
        Assert.Equal(["evt_1", "evt_3"], _h.Sender.Sent.Select(c => c.EventId));
    }

    [Fact]
    public async Task RunAsync_CircuitOpenedByUnansweredCalls_FailsAtOnceAsCircuitOpenAndRetriesPastTheNextProbe()
    {
        _h.Http.BreakerThreshold = 2;
        await _h.AddRulesAsync(ARule.For());
        _h.Sender.Answer(Outcomes.TimedOut, Outcomes.ConnectionRefused);
        await _h.RunAsync(DispatchHarness.Command(eventId: "evt_1"));
        await _h.RunAsync(DispatchHarness.Command(eventId: "evt_2"));
        _h.Time.Advance(TimeSpan.FromSeconds(10));

        var decision = await _h.RunAsync(DispatchHarness.Command(eventId: "evt_3"));

        // Open for 30s, 20s of it left: the smallest tier of at least 20s is 5m, without jitter below it.
        Assert.Equal(new DeliveryDecision.Retry(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5), AttemptsSoFar: 1), decision);
        Assert.Equal(2, _h.Sender.Sent.Count);
        var entry = _h.Log.Attempts[^1];
        Assert.Equal(("evt_3", AttemptOutcomes.CircuitOpen, (int?)null, "retrying", 0d), (entry.EventId, entry.Outcome, entry.StatusCode, entry.Status, entry.DurationMs));
        Assert.Contains("circuit open", entry.Error, StringComparison.Ordinal);
        Assert.Equal(_h.Time.GetUtcNow() + TimeSpan.FromMinutes(5), entry.NextAttemptAt);
    }
}
