using Astra.Dispatch.Delivery;
using Astra.Dispatch.Templating;
using Astra.Dispatch.Tests.Support;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Astra.Dispatch.Tests.Templating;

/// <summary>Every render is bounded in steps, output, collections, allocations and time; going over is a RenderException.</summary>
public sealed class RenderLimitsTests
{
    private static readonly IReadOnlyDictionary<string, object?> NoModel = new Dictionary<string, object?>();

    /// <summary>Renders synchronously on this thread (Fluid does here), so the thread's allocation counter sees all of it.</summary>
    private static (RenderException Error, long AllocatedBytes) Refused(Astra.Dispatch.Catalog.CompiledRule rule, object? data = null)
    {
        var e = Some.Event(data);
        var model = Some.Model(e);
        var renderer = new RequestRenderer(new LiquidEngine(), Some.Http());
        var before = GC.GetAllocatedBytesForCurrentThread();
        var task = renderer.RenderAsync(rule, model, new Lazy<string>(() => "{}"));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(task.IsCompleted, "the render went asynchronous; the allocation count would be partial");
        var error = Assert.Throws<RenderException>(() => task.GetAwaiter().GetResult());
        return (error, allocated);
    }

    /// <summary>On main, this 107-character template doubled a string forty times: gigabytes, then an OutOfMemoryException.</summary>
    [Fact]
    public void RenderAsync_AppendDoublingInALoop_StopsWithinTheOutputLimit()
    {
        const string Body = "{% assign s = 'abcdefghij' %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}";
        Assert.Equal(107, Body.Length);

        var (error, allocated) = Refused(Some.JsonBodyRule(Body));

        Assert.Equal("request.body", error.Field);
        Assert.Contains("longer than 262144 characters (Dispatch:Http:MaxRequestBodyBytes)", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < 16 * 1024 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void RenderAsync_CaptureDoublingInALoop_StopsWithinTheOutputLimit()
    {
        var (error, allocated) = Refused(Some.JsonBodyRule(
            "{% capture s %}xy{% endcapture %}{% for i in (1..40) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}1"));

        Assert.Equal("request.body", error.Field);
        Assert.True(allocated < 16 * 1024 * 1024, $"allocated {allocated} bytes");
    }

    /// <summary>On main, a range from event data was materialised whatever its size (about 381 MB for ten million items).</summary>
    [Fact]
    public void RenderAsync_RangeFromEventData_StopsAtTheCollectionLimit()
    {
        var (error, allocated) = Refused(Some.JsonBodyRule("{% assign r = (1..data.n) %}{{ r | size }}"), new { n = 10_000_000 });

        Assert.Contains("collection size of 10000", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < 16 * 1024 * 1024, $"allocated {allocated} bytes");
    }

    /// <summary>Each string stays under the output limit, but a new one on every pass would allocate until the deadline.</summary>
    [Fact]
    public void RenderAsync_LargeStringAssignedOnEveryPass_StopsAtTheAllocationBudget()
    {
        var big = new string('b', 200_000);

        var (error, allocated) = Refused(Some.JsonBodyRule("{% for i in (1..9000) %}{% assign s = data.big | append: i %}{% endfor %}1"), new { big });

        Assert.Contains("Dispatch:Templates:MaxAllocatedBytes", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < 80 * 1024 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void RenderAsync_LoopsNestedDeeperThanMaxRecursion_NamesTheLimit()
    {
        var (error, _) = Refused(Some.JsonBodyRule(Some.Nested(25, "{% for i in (1..1) %}", "{% endfor %}", "1")));

        Assert.Contains("loops are nested more than 20 deep", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenderAsync_PastTheDeadline_StopsWithATemplateLimitException()
    {
        var time = new FakeTimeProvider();
        var liquid = new LiquidEngine(Options.Create(new TemplateLimits { RenderTimeout = TimeSpan.FromSeconds(1) }), time);
        Assert.True(LiquidEngine.TryParse("{% for i in (1..10) %}{{ i }}{% endfor %}", out var template, out _));
        var context = liquid.CreateContext(NoModel);

        time.Advance(TimeSpan.FromSeconds(1.25));

        var ex = await Assert.ThrowsAsync<TemplateLimitException>(async () => await LiquidEngine.RenderAsync(template!, context));
        Assert.Contains("Dispatch:Templates:RenderTimeout", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateContext_Deadline_FiresBetweenOneAndOneAndAQuarterTimeoutsAfterCreation()
    {
        var time = new FakeTimeProvider();
        var liquid = new LiquidEngine(Options.Create(new TemplateLimits { RenderTimeout = TimeSpan.FromSeconds(1) }), time);
        var first = liquid.CreateContext(NoModel).CancellationToken;
        time.Advance(TimeSpan.FromMilliseconds(240));
        var sameSlot = liquid.CreateContext(NoModel).CancellationToken;
        time.Advance(TimeSpan.FromMilliseconds(60));
        var nextSlot = liquid.CreateContext(NoModel).CancellationToken;

        time.Advance(TimeSpan.FromMilliseconds(940));
        Assert.False(first.IsCancellationRequested || sameSlot.IsCancellationRequested || nextSlot.IsCancellationRequested);
        time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.True(first.IsCancellationRequested && sameSlot.IsCancellationRequested);
        Assert.False(nextSlot.IsCancellationRequested);
        time.Advance(TimeSpan.FromMilliseconds(300));
        Assert.True(nextSlot.IsCancellationRequested);
    }

    /// <summary>On main, a condition over a limit threw Fluid's InvalidOperationException, which the event consumer does
    /// not catch: the whole event was retried and dead-lettered, and the tenant's other rules never ran for it.</summary>
    [Fact]
    public async Task EvaluateAsync_ConditionOverALimit_RenderExceptionNamingRuleAndField()
    {
        var rule = Some.Compile(Some.Definition(when: "(1..data.n) contains 5"));
        var context = new LiquidEngine().CreateContext(Some.Model(new { n = 10_000_000 }));

        var ex = await Assert.ThrowsAsync<RenderException>(async () => await LiquidEngine.EvaluateAsync(rule.Condition!, context));

        Assert.Equal("r1", ex.RuleId);
        Assert.Equal("trigger.when", ex.Field);
        Assert.Contains("collection size", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EvaluateAsync_ConditionWithinLimits_StillEvaluates()
    {
        var rule = Some.Compile(Some.Definition(when: "(1..data.n) contains 5"));

        Assert.True(await LiquidEngine.EvaluateAsync(rule.Condition!, new LiquidEngine().CreateContext(Some.Model(new { n = 10 }))));
        Assert.False(await LiquidEngine.EvaluateAsync(rule.Condition!, new LiquidEngine().CreateContext(Some.Model(new { n = 4 }))));
    }

    [Fact]
    public void TemplateLimits_Defaults_AreValid() => Assert.Null(new TemplateLimits().Validate());
}
