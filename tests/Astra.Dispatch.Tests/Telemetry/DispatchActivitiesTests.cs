using System.Diagnostics;
using Astra.Dispatch.Telemetry;

namespace Astra.Dispatch.Tests.Telemetry;

/// <summary>
/// How the spans pick their parent: the event's, the publisher's W3C traceparent over a foreign current trace; the
/// deliver span's, the current (MassTransit's consume) span, else the command's traceparent.
/// </summary>
public sealed class DispatchActivitiesTests : IDisposable
{
    private static readonly ActivitySource Other = new("Astra.Dispatch.Tests.Other");
    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = s => s.Name is DispatchTelemetry.Name or "Astra.Dispatch.Tests.Other",
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    };

    public DispatchActivitiesTests() => ActivitySource.AddActivityListener(_listener);

    [Fact]
    public void StartEvent_TraceparentOfAnotherTrace_ContinuesPublisherTraceAndLinksCurrent()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var spanId = ActivitySpanId.CreateRandom();
        using var transport = Other.StartActivity("astra.dispatch.events receive")!;

        using var activity = DispatchActivities.StartEvent($"00-{traceId}-{spanId}-01", null, "acme", "lead.captured", "evt_1")!;

        Assert.Equal(traceId, activity.TraceId);
        Assert.Equal(spanId, activity.ParentSpanId);
        Assert.Equal(ActivityKind.Consumer, activity.Kind);
        Assert.Equal(transport.Context.SpanId, Assert.Single(activity.Links).Context.SpanId);
        Assert.Equal("acme", activity.GetTagItem(DispatchTelemetry.Tags.Tenant));
    }

    [Fact]
    public void StartEvent_TraceparentOfCurrentTrace_ChildOfCurrent()
    {
        using var transport = Other.StartActivity("astra.dispatch.events process")!;
        var header = $"00-{transport.TraceId}-{ActivitySpanId.CreateRandom()}-01";

        using var activity = DispatchActivities.StartEvent(header, null, "acme", "lead.captured", "evt_1")!;

        Assert.Equal(transport.SpanId, activity.ParentSpanId);
        Assert.Equal(ActivityKind.Internal, activity.Kind);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-traceparent")]
    public void StartEvent_NoOrInvalidTraceparent_ChildOfCurrent(string? header)
    {
        using var transport = Other.StartActivity("astra.dispatch.events process")!;

        using var activity = DispatchActivities.StartEvent(header, null, "acme", "lead.captured", "evt_1")!;

        Assert.Equal(transport.TraceId, activity.TraceId);
        Assert.Equal(transport.SpanId, activity.ParentSpanId);
    }

    [Fact]
    public void StartDeliver_NoCurrentSpan_ContinuesTheCommandsTraceparent()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var spanId = ActivitySpanId.CreateRandom();

        using var activity = DispatchActivities.StartDeliver("acme", "crm", "msg_1", 2, $"00-{traceId}-{spanId}-01")!;

        Assert.Equal(traceId, activity.TraceId);
        Assert.Equal(spanId, activity.ParentSpanId);
        Assert.Equal(ActivityKind.Consumer, activity.Kind);
        Assert.Equal(2, activity.GetTagItem(DispatchTelemetry.Tags.Attempt));
    }

    [Fact]
    public void StartDeliver_UnderCurrentSpan_ChildOfCurrentWhateverTheHeader()
    {
        using var consume = Other.StartActivity("astra.dispatch.send process")!;

        using var activity = DispatchActivities.StartDeliver("acme", "crm", "msg_1", 1, $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01")!;

        Assert.Equal(consume.TraceId, activity.TraceId);
        Assert.Equal(consume.SpanId, activity.ParentSpanId);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-traceparent")]
    public void StartDeliver_NoCurrentSpanNoUsableHeader_StartsATrace(string? header)
    {
        using var activity = DispatchActivities.StartDeliver("acme", "crm", "msg_1", 1, header)!;

        Assert.Equal(default, activity.ParentSpanId);
    }

    public void Dispose() => _listener.Dispose();
}
