using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.IntegrationTests.Support;
using Astra.Dispatch.Telemetry;
using Astra.Dispatch.Testing;

namespace Astra.Dispatch.IntegrationTests.Telemetry;

/// <summary>Traces from the publisher to the receiver, Prometheus metrics and readiness, on the real worker and broker.</summary>
public sealed class WorkerTelemetryTests(OpsWorkerFixture fixture) : IClassFixture<OpsWorkerFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task RawJsonEvent_WithTraceparentHeader_OneTraceFromConsumeToHttpAndReceiverJoinsIt()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var publisherSpan = ActivitySpanId.CreateRandom();
        await using var amqp = await RawAmqp.ConnectAsync(fixture.Broker);
        await amqp.PublishTextAsync(BusNames.EventsExchange, "lead.captured", Events.Lead(OpsWorkerFixture.TraceTenant),
            new Dictionary<string, object?> { ["traceparent"] = $"00-{traceId}-{publisherSpan}-01" });

        var request = await fixture.Receiver.WaitForRequestAsync(r => r.Path == "/traced", Wait);
        // Spans are exported as they end, in no fixed order: the event's consume span, and the MassTransit send and
        // consume spans between it and the deliver span, may end after the delivery's. Wait for the whole chain.
        var spans = await fixture.Spans.WaitForAsync(all => ChainIsComplete([.. all.Where(a => a.TraceId == traceId)]), Wait);

        var trace = spans.Where(a => a.TraceId == traceId).ToList();
        var consume = Assert.Single(trace, a => a.Source.Name == DispatchTelemetry.Name && a.DisplayName == "astra.events process");
        Assert.Equal(publisherSpan, consume.ParentSpanId);
        Assert.Equal(OpsWorkerFixture.TraceTenant, consume.GetTagItem(DispatchTelemetry.Tags.Tenant));
        Assert.Contains(trace, a => a.DisplayName == "match rules");
        Assert.Contains(trace, a => a.DisplayName == "render" && (string?)a.GetTagItem(DispatchTelemetry.Tags.Rule) == OpsWorkerFixture.TraceRule);
        Assert.Contains(trace, a => a.Source.Name == "MassTransit" && a.Kind == ActivityKind.Consumer);
        var deliver = Assert.Single(trace, a => a.DisplayName == "deliver");
        Assert.Equal(1, deliver.GetTagItem(DispatchTelemetry.Tags.Attempt));
        Assert.Equal(200, deliver.GetTagItem(DispatchTelemetry.Tags.HttpStatus));
        var http = Assert.Single(trace, a => a.Kind == ActivityKind.Client && a.Source.Name == "System.Net.Http");
        Assert.True(IsDescendant(http, deliver, trace), "the HTTP span is under the deliver span");
        Assert.True(IsDescendant(deliver, consume, trace), "the deliver span is under the event's consume span");

        // The receiver joins the same trace, as a child of the HTTP client span.
        Assert.Equal($"00-{traceId}-{http.SpanId}-01", request.Header("traceparent"));
    }

    [Fact]
    public async Task Metrics_AfterDelivery_PrometheusTextHasTheCounters()
    {
        await using var amqp = await RawAmqp.ConnectAsync(fixture.Broker);
        await using var results = await amqp.TapAsync(BusNames.ResultsExchange, BusNames.SucceededRoutingKey);
        var json = Events.Lead(OpsWorkerFixture.MetricsTenant);
        await amqp.PublishTextAsync(BusNames.EventsExchange, "lead.captured", json);
        await results.WaitForAsync(m => m.BodyText.Contains(JsonDocument.Parse(json).RootElement.GetProperty("eventId").GetString()!, StringComparison.Ordinal), Wait);

        var rule = $"astra_rule=\"{OpsWorkerFixture.MetricsRule}\"";
        var text = await ScrapeUntilAsync(t => t.Contains("astra_dispatch_deliveries_total{", StringComparison.Ordinal)
            && Lines(t, "astra_dispatch_deliveries_total{").Any(l => l.Contains(rule, StringComparison.Ordinal)));

        Assert.Contains(Lines(text, "astra_dispatch_deliveries_total{"), l => l.Contains(rule, StringComparison.Ordinal) && l.Contains("astra_outcome=\"succeeded\"", StringComparison.Ordinal));
        Assert.Contains(Lines(text, "astra_dispatch_events_consumed_total{"), l => l.Contains("astra_outcome=\"matched\"", StringComparison.Ordinal));
        Assert.Contains(Lines(text, "astra_dispatch_attempts_total{"), l => l.Contains(rule, StringComparison.Ordinal));
        Assert.Contains(Lines(text, "astra_dispatch_rules_matched_total{"), l => l.Contains(rule, StringComparison.Ordinal));
        Assert.Contains(Lines(text, "astra_dispatch_http_duration_seconds_count{"), l => l.Contains(rule, StringComparison.Ordinal));
        Assert.Contains(Lines(text, "astra_dispatch_delivery_latency_seconds_count{"), l => l.Contains(rule, StringComparison.Ordinal));
        var enabled = Assert.Single(Lines(text, "astra_dispatch_rules_loaded{"), l => l.Contains("astra_rule_state=\"enabled\"", StringComparison.Ordinal));
        // "name{labels} value [timestamp]"; label values may hold spaces, so read after the closing brace.
        // Other test classes run workers in this same process, and a MeterProvider listens to every meter named
        // Astra.Dispatch in the process, so the gauge may report another worker's cache: check it is a live count.
        Assert.True(int.TryParse(enabled[(enabled.LastIndexOf('}') + 2)..].Split(' ')[0], out var count) && count >= 1, "expected enabled rules: " + enabled);
        Assert.Contains("process_", text, StringComparison.Ordinal);
        Assert.Contains("dotnet_gc_", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readiness_BrokerStopsAndReturns_UnhealthyThenHealthyWhileLiveStaysUp()
    {
        var ready = await WaitForStatusAsync("/health/ready", HttpStatusCode.OK);
        Assert.Contains("\"warmup\":{\"status\":\"Healthy\",\"description\":\"warmed up in", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await fixture.Broker.StopAsync();
        try
        {
            var down = await WaitForStatusAsync("/health/ready", HttpStatusCode.ServiceUnavailable);
            Assert.Contains("masstransit", await down.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
            Assert.Equal(HttpStatusCode.OK, (await fixture.Http.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode);
        }
        finally
        {
            await fixture.Broker.StartAgainAsync();
        }

        var up = await WaitForStatusAsync("/health/ready", HttpStatusCode.OK, TimeSpan.FromSeconds(90));
        Assert.Contains("\"database\":{\"status\":\"Healthy\"", await up.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>The receiver's request span under the deliver span, under the event's consume span, every link exported.</summary>
    private static bool ChainIsComplete(List<Activity> trace) =>
        trace.FirstOrDefault(a => a.DisplayName == "astra.events process") is { } consume
        && trace.FirstOrDefault(a => a.DisplayName == "deliver") is { } deliver
        && trace.FirstOrDefault(a => a.Kind == ActivityKind.Client && a.Source.Name == "System.Net.Http") is { } http
        && IsDescendant(deliver, consume, trace) && IsDescendant(http, deliver, trace);

    private static bool IsDescendant(Activity child, Activity ancestor, List<Activity> trace)
    {
        var byId = trace.ToDictionary(a => a.SpanId);
        for (var current = child; byId.TryGetValue(current.ParentSpanId, out var parent); current = parent)
        {
            if (parent.SpanId == ancestor.SpanId)
                return true;
        }
        return false;
    }

    private static IEnumerable<string> Lines(string text, string prefix) =>
        text.Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>The exporter serves a scrape cached for a few hundred ms, so a just-recorded value may need a second scrape.</summary>
    private async Task<string> ScrapeUntilAsync(Func<string, bool> done)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var text = await fixture.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            if (done(text) || DateTime.UtcNow > deadline)
                return text;
            await Task.Delay(200);
        }
    }

    /// <summary>Health is polled: there is no event for "the bus noticed the broker is gone".</summary>
    private async Task<HttpResponseMessage> WaitForStatusAsync(string path, HttpStatusCode expected, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Wait);
        while (true)
        {
            var response = await fixture.Http.GetAsync(new Uri(path, UriKind.Relative));
            if (response.StatusCode == expected || DateTime.UtcNow > deadline)
                return response;
            response.Dispose();
            await Task.Delay(250);
        }
    }
}
