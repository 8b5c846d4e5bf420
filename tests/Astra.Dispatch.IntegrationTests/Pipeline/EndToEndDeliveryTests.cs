using System.Diagnostics;
using System.Text.Json;
using Astra.Dispatch.Bus;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.IntegrationTests.Support;
using Astra.Dispatch.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Astra.Dispatch.IntegrationTests.Pipeline;

/// <summary>The walking skeleton end to end: a real broker, the real worker, a real HTTP receiver on loopback.</summary>
public sealed class EndToEndDeliveryTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string _tenant = "t" + Guid.NewGuid().ToString("N")[..8];
    private RabbitMqBroker _broker = null!;
    private Uri _vhost = null!;
    private HttpReceiver _receiver = null!;
    private WorkerHost _worker = null!;
    private RawAmqp _amqp = null!;
    private QueueTap _results = null!;

    public async Task InitializeAsync()
    {
        _broker = await SharedBroker.GetAsync();
        _vhost = await _broker.CreateVirtualHostAsync(_tenant);
        _receiver = await HttpReceiver.StartAsync();
        var rules = RuleYaml.Post("crm-lead", _tenant, _receiver.UrlFor("/api/v2/leads"))
            + RuleYaml.Post("analytics-lead", _tenant, _receiver.UrlFor("/track"), events: "[lead.*]")
            + RuleYaml.Post("disabled-lead", _tenant, _receiver.UrlFor("/disabled"), enabled: false)
            + RuleYaml.Post("other-tenant", "someone-else", _receiver.UrlFor("/other"));
        _worker = await WorkerHost.StartAsync(_vhost, rules);
        _amqp = await RawAmqp.ConnectAsync(_vhost);
        _results = await _amqp.TapAsync(BusNames.ResultsExchange, "action.*");
    }

    public async Task DisposeAsync()
    {
        await _results.DisposeAsync();
        await _amqp.DisposeAsync();
        await _worker.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task RawJsonEvent_MatchingRules_DeliversRenderedRequestsWithContractHeaders()
    {
        var json = Events.Lead(_tenant);
        await _amqp.PublishTextAsync(BusNames.EventsExchange, "lead.captured", json);

        var request = await _receiver.WaitForRequestAsync(r => r.Path == "/api/v2/leads", Wait);
        Assert.Equal("POST", request.Method);
        var body = JsonDocument.Parse(request.Body).RootElement;
        Assert.Equal("ada@example.com", body.GetProperty("email").GetString());
        Assert.Equal("Ada \"Countess\" Lovelace", body.GetProperty("name").GetString());
        Assert.Equal("conv_123", body.GetProperty("conversation").GetString());
        var id = DeliveryId.For(_tenant, Events.Id(json), "crm-lead");
        Assert.Equal(id, request.Headers["webhook-id"]);
        Assert.Equal(id, request.Headers["Idempotency-Key"]);
        Assert.StartsWith("Astra-Dispatch/", request.Headers["User-Agent"], StringComparison.Ordinal);
        Assert.Matches("^[0-9]{10}$", request.Headers["webhook-timestamp"]);
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", request.Headers["traceparent"]);
        Assert.Equal("astra", request.Headers["X-Source"]);

        var result = await _results.WaitForAsync(m => m.RoutingKey == BusNames.SucceededRoutingKey && m.BodyText.Contains(id, StringComparison.Ordinal), Wait);
        var outcome = JsonDocument.Parse(result.BodyText).RootElement;
        Assert.Equal("succeeded", outcome.GetProperty("status").GetString());
        Assert.Equal("crm-lead", outcome.GetProperty("ruleId").GetString());
        Assert.Equal(1, outcome.GetProperty("attempts").GetInt32());
        Assert.Equal(200, outcome.GetProperty("httpStatus").GetInt32());
    }

    [Fact]
    public async Task RawJsonEvent_WithHeadersOfItsOwn_TheyReachNeitherTheEndpointNorTheResultEvent()
    {
        // Whatever the publisher put in the event's AMQP headers is its business: MassTransit's raw JSON default would
        // copy it into every command and from there into every result event on the bus.
        var json = Events.Lead(_tenant);
        var headers = new Dictionary<string, object?> { ["x-runtime-session"] = "session-value-1234" };
        await _amqp.PublishTextAsync(BusNames.EventsExchange, "lead.captured", json, headers);

        var id = DeliveryId.For(_tenant, Events.Id(json), "crm-lead");
        var request = await _receiver.WaitForRequestAsync(r => r.Headers["webhook-id"] == id, Wait);
        Assert.DoesNotContain(request.Headers, h => h.Key.Equals("x-runtime-session", StringComparison.OrdinalIgnoreCase));
        var result = await _results.WaitForAsync(m => m.RoutingKey == BusNames.SucceededRoutingKey && m.BodyText.Contains(id, StringComparison.Ordinal), Wait);
        Assert.False(result.Headers.ContainsKey("x-runtime-session"), string.Join(", ", result.Headers.Keys));
        Assert.DoesNotContain("session-value-1234", string.Join(" ", result.Headers.Values));
    }

    [Fact]
    public async Task MassTransitPublisher_ConversationEvent_IsDelivered()
    {
        var services = new ServiceCollection();
        services.AddMassTransit(x => x.UsingRabbitMq((_, cfg) =>
        {
            cfg.Host(_vhost);
            cfg.ConfigureAstraTopology();
        }));
        await using var provider = services.BuildServiceProvider();
        var bus = provider.GetRequiredService<IBusControl>();
        await bus.StartAsync();
        try
        {
            var eventId = "evt_mt_" + Guid.NewGuid().ToString("N");
            await bus.Publish(new ConversationEvent
            {
                EventId = eventId,
                Type = "lead.captured",
                TenantId = _tenant,
                ConversationId = "conv_123",
                Data = JsonDocument.Parse("""{ "name": "Grace", "email": "grace@example.com" }""").RootElement,
            });
            var request = await _receiver.WaitForRequestAsync(r => r.Path == "/api/v2/leads" && r.Body.Contains("grace@example.com", StringComparison.Ordinal), Wait);
            Assert.Equal(DeliveryId.For(_tenant, eventId, "crm-lead"), request.Headers["webhook-id"]);
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    [Fact]
    public async Task Events_OtherTenantOtherTypeOrDisabledRule_ProduceNoRequest()
    {
        await _amqp.PublishTextAsync(BusNames.EventsExchange, "lead.captured", Events.Lead("nobody-" + _tenant));
        await _amqp.PublishTextAsync(BusNames.EventsExchange, "feedback.left", Events.Lead(_tenant, type: "feedback.left"));
        // A marker published last: once it is delivered, everything before it has been consumed.
        var marker = Events.Lead(_tenant, type: "lead.marker");
        await _amqp.PublishTextAsync(BusNames.EventsExchange, "lead.marker", marker);

        await _receiver.WaitForRequestAsync(r => r.Path == "/track" && r.Headers["webhook-id"] == DeliveryId.For(_tenant, Events.Id(marker), "analytics-lead"), Wait);
        Assert.Single(_receiver.Requests);
        Assert.DoesNotContain(_receiver.Requests, r => r.Path is "/disabled" or "/other");
    }

    [Fact]
    public async Task RawJsonEvents_WithTraceparent_NoTraceExporter_EachRequestContinuesItsPublishersTrace()
    {
        // This worker exports no spans (no OTLP endpoint), so MassTransit builds none and carries no trace across
        // the command hop; each event's trace must still reach the receiver, and only that event's.
        var events = Enumerable.Range(0, 3).Select(_ => (Json: Events.Lead(_tenant), TraceId: ActivityTraceId.CreateRandom())).ToList();
        foreach (var (json, traceId) in events)
        {
            await _amqp.PublishTextAsync(BusNames.EventsExchange, "lead.captured", json,
                new Dictionary<string, object?> { ["traceparent"] = $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01" });
        }

        foreach (var (json, traceId) in events)
        {
            var request = await _receiver.WaitForRequestAsync(r => r.Path == "/api/v2/leads" && r.Headers["webhook-id"] == DeliveryId.For(_tenant, Events.Id(json), "crm-lead"), Wait);
            Assert.Matches($"^00-{traceId}-[0-9a-f]{{16}}-0[01]$", request.Headers["traceparent"]);
        }
    }

    [Fact]
    public async Task OneEvent_TwoMatchingRules_TwoRequestsWithDistinctIds_AndRepublishKeepsIds()
    {
        var json = Events.Lead(_tenant);
        await _amqp.PublishTextAsync(BusNames.EventsExchange, "lead.captured", json);
        var first = await _receiver.WaitForCountAsync(2, Wait);
        var ids = first.Select(r => r.Headers["webhook-id"]).ToHashSet();
        Assert.Equal(2, ids.Count);
        Assert.Equal(
            new HashSet<string> { DeliveryId.For(_tenant, Events.Id(json), "crm-lead"), DeliveryId.For(_tenant, Events.Id(json), "analytics-lead") },
            ids);

        // The duplicate is not sent again (already succeeded), and any delivery it made would carry the same ids.
        _receiver.Reset();
        await _amqp.PublishTextAsync(BusNames.EventsExchange, "lead.captured", json);
        var marker = Events.Lead(_tenant, type: "lead.marker");
        await _amqp.PublishTextAsync(BusNames.EventsExchange, "lead.marker", marker);
        var markerId = DeliveryId.For(_tenant, Events.Id(marker), "analytics-lead");
        await _receiver.WaitForRequestAsync(r => r.Headers["webhook-id"] == markerId, Wait);
        Assert.All(_receiver.Requests.Where(r => r.Headers["webhook-id"] != markerId), r => Assert.Contains(r.Headers["webhook-id"], ids));
    }
}
