using Astra.Dispatch.Catalog;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Dispatching;
using Astra.Dispatch.Templating;
using Astra.Dispatch.Tests.Support;

namespace Astra.Dispatch.Tests.Dispatching;

/// <summary>Each check of a rule against an event, as dry runs explain it, and the condition as the planner asks it.</summary>
public sealed class RuleMatcherTests
{
    private static readonly RuleMatcher Matcher = new(new LiquidEngine());

    private static readonly ConversationEvent Lead = Some.Event(new { score = 87 });

    private static async Task<MatchCheck> CheckAsync(CompiledRule rule, ConversationEvent e, string name) =>
        Assert.Single(await Matcher.ExplainAsync(rule, e, Some.Model(e)), c => c.Name == name);

    [Fact]
    public async Task ExplainAsync_EveryCheckPasses_InThePlannersOrderWithItsDetail()
    {
        var rule = ARule.For(events: ["lead.captured", "form.*"]).ForAgent("sales").When("data.score >= 50").Compile();

        var checks = await Matcher.ExplainAsync(rule, Lead, Some.Model(Lead));

        Assert.Equal(
        [
            new MatchCheck("enabled", true, "rule is enabled"),
            new MatchCheck("tenant", true, "rule tenant 'acme', event tenant 'acme'"),
            new MatchCheck("type", true, "event type 'lead.captured' against [lead.captured, form.*]"),
            new MatchCheck("agent", true, "rule agent 'sales', event agent 'sales'"),
            new MatchCheck("condition", true, "data.score >= 50 is true"),
        ], checks);
    }

    [Fact]
    public async Task ExplainAsync_Disabled_EnabledCheckFails()
    {
        Assert.Equal(new MatchCheck("enabled", false, "rule is disabled"), await CheckAsync(ARule.For().Compile(enabled: false), Lead, "enabled"));
        Assert.Equal(new MatchCheck("enabled", false, "rule is paused: endpoint gone"),
            await CheckAsync(ARule.For().Compile(enabled: false, pausedReason: "endpoint gone"), Lead, "enabled"));
    }

    [Fact]
    public async Task ExplainAsync_AnotherTenantsEvent_TenantCheckFails() =>
        Assert.Equal(new MatchCheck("tenant", false, "rule tenant 'acme', event tenant 'globex'"),
            await CheckAsync(ARule.For().Compile(), Lead with { TenantId = "globex" }, "tenant"));

    [Fact]
    public async Task ExplainAsync_OtherType_TypeCheckFails() =>
        Assert.Equal(new MatchCheck("type", false, "event type 'form.submitted' against [lead.*]"),
            await CheckAsync(ARule.For(events: "lead.*").Compile(), Lead with { Type = "form.submitted" }, "type"));

    [Fact]
    public async Task ExplainAsync_AgentFilter_OtherOrNoAgentFails_NoFilterAcceptsAny()
    {
        var salesOnly = ARule.For().ForAgent("sales").Compile();

        Assert.Equal(new MatchCheck("agent", false, "rule agent 'sales', event agent 'support'"), await CheckAsync(salesOnly, Lead with { AgentId = "support" }, "agent"));
        Assert.Equal(new MatchCheck("agent", false, "rule agent 'sales', event agent '(none)'"), await CheckAsync(salesOnly, Lead with { AgentId = null }, "agent"));
        Assert.Equal(new MatchCheck("agent", true, "rule accepts any agent"), await CheckAsync(ARule.For().Compile(), Lead with { AgentId = null }, "agent"));
    }

    [Fact]
    public async Task ExplainAsync_Condition_FalseOrAbsentOrFailing()
    {
        var low = Some.Event(new { score = 10 });

        Assert.Equal(new MatchCheck("condition", false, "data.score >= 50 is false"), await CheckAsync(ARule.For().When("data.score >= 50").Compile(), low, "condition"));
        Assert.Equal(new MatchCheck("condition", true, "no condition"), await CheckAsync(ARule.For().Compile(), low, "condition"));
        var failing = await CheckAsync(ARule.For().When("(1..data.n) contains 0").Compile(), Some.Event(new { n = 100_000_000 }), "condition");
        Assert.False(failing.Passed);
        Assert.StartsWith("(1..data.n) contains 0 failed: rule r1: trigger.when: ", failing.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConditionHoldsAsync_NoConditionHolds_AFailingOneIsARenderFailureOfTriggerWhen()
    {
        Assert.True(await Matcher.ConditionHoldsAsync(ARule.For().Compile(), Some.Model(Lead)));

        var failure = await Assert.ThrowsAsync<RenderException>(async () =>
            await Matcher.ConditionHoldsAsync(ARule.For().When("(1..data.n) contains 0").Compile(), Some.Model(new { n = 100_000_000 })));

        Assert.Equal(("r1", "trigger.when"), (failure.RuleId, failure.Field));
    }
}
