using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Dispatching;
using Astra.Dispatch.Matching;
using Astra.Dispatch.Storage;
using Astra.Dispatch.Tests.Support;

namespace Astra.Dispatch.Tests.Dispatching;

/// <summary>What an event becomes: rejected, nothing, or one command per matched rule (and the render failures).</summary>
public sealed class EventPlannerTests : IDisposable
{
    private static readonly EventReceipt Receipt = new(BodyBytes: 300, Redelivered: false);

    private readonly DispatchHarness _h = new();

    public void Dispose() => _h.Dispose();

    private Task<EventPlan> PlanAsync(ConversationEvent e) => _h.Planner.PlanAsync(e, Receipt, _h.Token);

    public static TheoryData<string, string> InvalidEvents => new()
    {
        { "no-id", "eventId is required (1-200 characters)" },
        { "bad-type", "type is required (1-200 characters of a-z, 0-9, '_', '.', '-')" },
        { "no-tenant", "tenantId is required" },
        { "array-data", "data must be a JSON object" },
    };

    [Theory]
    [MemberData(nameof(InvalidEvents))]
    public async Task PlanAsync_InvalidEvent_RejectedWithTheReason(string kind, string reason)
    {
        await _h.AddRulesAsync(ARule.For());
        var e = kind switch
        {
            "no-id" => Some.Event() with { EventId = "" },
            "bad-type" => Some.Event(type: "Lead Captured"),
            "no-tenant" => Some.Event() with { TenantId = "" },
            _ => Some.Event(new[] { 1, 2 }),
        };

        var plan = await PlanAsync(e);

        Assert.Equal(reason, plan.Rejection);
        Assert.Empty(plan.Commands);
        Assert.Empty(plan.LogEntries);
    }

    [Fact]
    public async Task PlanAsync_EventOverTheSizeLimit_Rejected()
    {
        var plan = await _h.Planner.PlanAsync(Some.Event(), new EventReceipt(EventValidator.MaxEventBytes + 1, false), _h.Token);

        Assert.Equal($"event is {EventValidator.MaxEventBytes + 1} bytes; the limit is {EventValidator.MaxEventBytes}", plan.Rejection);
    }

    [Fact]
    public async Task PlanAsync_NoRuleForTheType_Empty()
    {
        await _h.AddRulesAsync(ARule.For(events: "form.submitted"));

        Assert.Same(EventPlan.Empty, await PlanAsync(Some.Event(type: "lead.captured")));
    }

    [Fact]
    public async Task PlanAsync_RulesOfAnotherTenant_NeverMatch()
    {
        await _h.AddRulesAsync(ARule.For("acme-crm", "acme"), ARule.For("globex-crm", "globex", "lead.*"));

        var acme = await PlanAsync(Some.Event());
        var globex = await PlanAsync(Some.Event() with { TenantId = "globex" });
        var initech = await PlanAsync(Some.Event() with { TenantId = "initech" });

        Assert.Equal(["acme-crm"], acme.Commands.Select(c => c.Command.RuleId));
        Assert.Equal(["globex-crm"], globex.Commands.Select(c => c.Command.RuleId));
        Assert.Equal("globex", globex.Commands[0].Command.TenantId);
        Assert.Same(EventPlan.Empty, initech);
    }

    [Fact]
    public async Task PlanAsync_AgentFilter_OnlyThatAgentsEvents()
    {
        await _h.AddRulesAsync(ARule.For("sales-only").ForAgent("sales"), ARule.For("any-agent"));

        var sales = await PlanAsync(Some.Event() with { AgentId = "sales" });
        var support = await PlanAsync(Some.Event() with { AgentId = "support" });
        var none = await PlanAsync(Some.Event() with { AgentId = null });

        Assert.Equal(["any-agent", "sales-only"], sales.Commands.Select(c => c.Command.RuleId).Order());
        Assert.Equal(["any-agent"], support.Commands.Select(c => c.Command.RuleId));
        Assert.Equal(["any-agent"], none.Commands.Select(c => c.Command.RuleId));
    }

    [Fact]
    public async Task PlanAsync_ConditionFalse_NoCommandAndNothingToLog()
    {
        await _h.AddRulesAsync(ARule.For().When("data.score >= 50"));

        var low = await PlanAsync(Some.Event(new { score = 49, email = "ada@example.com" }));
        var high = await PlanAsync(Some.Event(new { score = 87, email = "ada@example.com" }));

        Assert.Empty(low.Commands);
        Assert.Empty(low.Failures);
        Assert.Empty(low.LogEntries);
        Assert.Single(high.Commands);
    }

    [Fact]
    public async Task PlanAsync_ConditionFailsToEvaluate_RenderFailureOfTriggerWhen()
    {
        await _h.AddRulesAsync(ARule.For().When("(1..data.n) contains 0"));

        var plan = await PlanAsync(Some.Event(new { n = 100_000_000 }));

        Assert.Empty(plan.Commands);
        var failure = Assert.Single(plan.Failures);
        Assert.StartsWith("rule r1: trigger.when: ", failure.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlanAsync_RenderFails_ActionFailedAndARenderFailedLogEntry_OtherRulesStillPlanned()
    {
        await _h.AddRulesAsync(ARule.For("broken").WithBody("""{ "name": {{ data.name }} }"""), ARule.For("fine"));
        var e = Some.Event(new { name = "Ada", email = "ada@example.com" });

        var plan = await PlanAsync(e);

        var deliveryId = DeliveryId.For("acme", "evt_1", "broken");
        var failure = Assert.Single(plan.Failures);
        Assert.Equal((deliveryId, "broken", DeliveryStatus.Failed, 0, "conv_1"), (failure.DeliveryId, failure.RuleId, failure.Status, failure.Attempts, failure.ConversationId));
        Assert.StartsWith("rule broken: request.body: ", failure.Error, StringComparison.Ordinal);
        var entry = Assert.Single(plan.LogEntries.OfType<AttemptRecorded>());
        Assert.Equal((deliveryId, AttemptOutcomes.RenderFailed, DeliveryStatus.Failed, failure.Error, 0),
            (entry.DeliveryId, entry.Outcome, entry.Status, entry.Error, entry.Attempt));
        Assert.Equal(["fine"], plan.Commands.Select(c => c.Command.RuleId));
    }

    [Fact]
    public async Task PlanAsync_MatchedRules_OneRenderedCommandEachWithTheDeterministicDeliveryId()
    {
        await _h.AddRulesAsync(ARule.For("crm"), ARule.For("analytics", events: "lead.*").To("https://analytics.example.com/track"));
        var e = Some.Event(new { email = "ada@example.com" });

        var plan = await PlanAsync(e);
        var again = await PlanAsync(e);

        Assert.Null(plan.Rejection);
        Assert.Equal(2, plan.Commands.Count);
        foreach (var (command, known, park) in plan.Commands)
        {
            Assert.Equal(DeliveryId.For("acme", "evt_1", command.RuleId), command.DeliveryId);
            Assert.Equal(("evt_1", "lead.captured", "acme", "sales", "conv_1"), (command.EventId, command.EventType, command.TenantId, command.AgentId, command.ConversationId));
            Assert.Equal("""{ "email": "ada@example.com" }""", command.Body);
            Assert.False(known);
            Assert.Null(park);
        }
        Assert.Equal("https://analytics.example.com/track", plan.Commands.Single(c => c.Command.RuleId == "analytics").Command.Url);
        Assert.Equal(plan.Commands.Select(c => c.Command.DeliveryId), again.Commands.Select(c => c.Command.DeliveryId));
        // The event itself is stored once beside its deliveries, so they can be resent.
        var stored = Assert.IsType<EventRecorded>(Assert.Single(plan.LogEntries, entry => entry is EventRecorded));
        Assert.Equal(("acme", "evt_1"), (stored.TenantId, stored.EventId));
        var created = plan.LogEntries.Where(entry => entry is not EventRecorded).ToList();
        Assert.All(created, entry => Assert.IsType<DeliveryCreated>(entry));
        Assert.Equal(plan.Commands.Select(c => c.Command.DeliveryId).Order(), created.Select(x => x.DeliveryId).Order());
    }
}
