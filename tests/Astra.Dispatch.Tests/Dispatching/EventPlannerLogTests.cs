using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Dispatching;
using Astra.Dispatch.Storage;
using Astra.Dispatch.Tests.Support;

namespace Astra.Dispatch.Tests.Dispatching;

/// <summary>What the planner takes from and leaves in the delivery log: known deliveries, parked ones, the entries recorded.</summary>
public sealed class EventPlannerLogTests : IDisposable
{
    private static readonly EventReceipt Fresh = new(BodyBytes: 300, Redelivered: false);
    private static readonly Uri Analytics = new("https://analytics.example.com/track");

    private readonly DispatchHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task PlanAsync_DeliveryAlreadyInTheLog_MarkedKnown_NewOnesNot()
    {
        await _h.AddRulesAsync(ARule.For("crm"));
        await _h.Planner.RecordAsync(await _h.Planner.PlanAsync(Some.Event(), Fresh, _h.Token), _h.Token);
        await _h.AddRulesAsync(ARule.For("crm"), ARule.For("analytics").To(Analytics.ToString()));

        var republished = await _h.Planner.PlanAsync(Some.Event(), Fresh, _h.Token);

        Assert.Equal([("analytics", false), ("crm", true)], republished.Commands.Select(c => (c.Command.RuleId, c.Known)));
    }

    [Fact]
    public async Task PlanAsync_RedeliveredEvent_EveryCommandKnown()
    {
        await _h.AddRulesAsync(ARule.For("crm"), ARule.For("analytics").To(Analytics.ToString()));

        var plan = await _h.Planner.PlanAsync(Some.Event(), Fresh with { Redelivered = true }, _h.Token);

        Assert.Equal(2, plan.Commands.Count);
        Assert.All(plan.Commands, c => Assert.True(c.Known));
    }

    [Fact]
    public async Task PlanAsync_CircuitOpen_NewDeliveriesParkedWithARefusedFirstAttempt()
    {
        _h.Http.BreakerThreshold = 1;
        await _h.AddRulesAsync(ARule.For("crm"), ARule.For("analytics").To(Analytics.ToString()));
        _h.Breaker.Record(Analytics, Outcomes.TimedOut);
        _h.Time.Advance(TimeSpan.FromSeconds(5));

        var plan = await _h.Planner.PlanAsync(Some.Event(), Fresh, _h.Token);

        var parked = plan.Commands.Single(c => c.Command.RuleId == "analytics");
        // Open for 30s, 25s of it left: the smallest tier of at least 25s is 5m.
        Assert.Equal(new Parking(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5)), parked.Park);
        Assert.False(parked.Known);
        Assert.Null(plan.Commands.Single(c => c.Command.RuleId == "crm").Park);
        var entry = Assert.Single(plan.LogEntries.OfType<AttemptRecorded>());
        Assert.Equal((parked.Command.DeliveryId, 1, AttemptOutcomes.CircuitOpen, DeliveryStatus.Retrying, (int?)null),
            (entry.DeliveryId, entry.Attempt, entry.Outcome, entry.Status, entry.StatusCode));
        Assert.Equal(_h.Time.GetUtcNow() + TimeSpan.FromMinutes(5), entry.NextAttemptAt);
        Assert.Contains("circuit open", entry.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlanAsync_CircuitOpenForAKnownDelivery_NotParked()
    {
        _h.Http.BreakerThreshold = 1;
        await _h.AddRulesAsync(ARule.For("analytics").To(Analytics.ToString()));
        _h.Breaker.Record(Analytics, Outcomes.TimedOut);

        var plan = await _h.Planner.PlanAsync(Some.Event(), Fresh with { Redelivered = true }, _h.Token);

        Assert.Null(Assert.Single(plan.Commands).Park);
        Assert.IsType<DeliveryCreated>(Assert.Single(plan.LogEntries, entry => entry is not EventRecorded));
    }

    [Fact]
    public async Task RecordAsync_AppendsThePlansEntries()
    {
        _h.Http.BreakerThreshold = 1;
        await _h.AddRulesAsync(ARule.For("crm"), ARule.For("analytics").To(Analytics.ToString()), ARule.For("broken").WithBody("{{ data.name }}"));
        _h.Breaker.Record(Analytics, Outcomes.TimedOut);
        var plan = await _h.Planner.PlanAsync(Some.Event(new { name = "Ada" }), Fresh, _h.Token);
        Assert.Empty(_h.Log.Entries);

        await _h.Planner.RecordAsync(plan, _h.Token);

        Assert.Equal(plan.LogEntries, _h.Log.Entries);
        Assert.Equal(DeliveryStatus.Pending, await StatusAsync("crm"));
        Assert.Equal(DeliveryStatus.Retrying, await StatusAsync("analytics"));
        Assert.Equal(DeliveryStatus.Failed, await StatusAsync("broken"));
        Assert.Equal(1, (await _h.Log.GetAsync(DeliveryId.For("acme", "evt_1", "analytics"), _h.Token))?.Attempts);
    }

    private Task<string?> StatusAsync(string ruleId) => _h.Log.GetStatusAsync(DeliveryId.For("acme", "evt_1", ruleId), _h.Token);
}
