using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.IntegrationTests.Durability;
using Astra.Dispatch.IntegrationTests.Support;
using Astra.Dispatch.Testing;

namespace Astra.Dispatch.IntegrationTests.Pipeline;

/// <summary>
/// <c>Dispatch:Results:PublishSucceeded=false</c>: successes are delivered and logged but not published, except for a
/// rule that captures its response; failures still are.
/// </summary>
public sealed class SucceededResultsOptOutTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string _tenant = "ro" + Guid.NewGuid().ToString("N")[..8];
    private HttpReceiver _receiver = null!;
    private WorkerHost _worker = null!;
    private RawAmqp _amqp = null!;
    private QueueTap _results = null!;

    public async Task InitializeAsync()
    {
        var vhost = await (await SharedBroker.GetAsync()).CreateVirtualHostAsync(_tenant);
        _receiver = await HttpReceiver.StartAsync();
        _receiver.Respond((request, _) => request.Path == "/rejects" ? ReceiverResponse.Status(422) : ReceiverResponse.Ok("{}"));
        var rules = RuleYaml.Post("accepts", _tenant, _receiver.UrlFor("/accepts"))
            + RuleYaml.Post("rejects", _tenant, _receiver.UrlFor("/rejects"), events: "[form.submitted]")
            + RuleYaml.Post("captures", _tenant, _receiver.UrlFor("/captures"), events: "[capture.test]", extra: "captureResponse: true");
        _amqp = await RawAmqp.ConnectAsync(vhost);
        _results = await _amqp.TapAsync(BusNames.ResultsExchange, "action.*");
        _worker = await WorkerHost.StartAsync(vhost, rules, new Dictionary<string, string?> { ["Dispatch:Results:PublishSucceeded"] = "false" });
    }

    public async Task DisposeAsync()
    {
        await _worker.DisposeAsync();
        await _results.DisposeAsync();
        await _amqp.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task SucceededDelivery_NotPublished_FailureStillIs()
    {
        var lead = Events.Lead(_tenant);
        await _amqp.PublishTextAsync(BusNames.EventsExchange, "lead.captured", lead);
        var accepted = DeliveryId.For(_tenant, Events.Id(lead), "accepts");
        await _receiver.WaitForRequestAsync(r => r.Header("webhook-id") == accepted, Wait);
        // The log's batch lands 20 ms or more after the consumer would have published: by then a result would be on its way.
        await Some.WaitForScalarAsync(_worker.DatabasePath, "SELECT COUNT(*) FROM deliveries WHERE id = @accepted AND status = 'succeeded'", new { accepted }, 1, Wait);

        // A later failure travels the same way to the tap; by the time it arrives, an earlier success would have too.
        var form = Events.Lead(_tenant, type: "form.submitted");
        await _amqp.PublishTextAsync(BusNames.EventsExchange, "form.submitted", form);
        var rejected = DeliveryId.For(_tenant, Events.Id(form), "rejects");
        await _results.WaitForAsync(m => m.RoutingKey == BusNames.FailedRoutingKey && m.BodyText.Contains(rejected, StringComparison.Ordinal), Wait);

        Assert.DoesNotContain(_results.Messages, m => m.RoutingKey == BusNames.SucceededRoutingKey);
    }

    [Fact]
    public async Task RuleCapturingItsResponse_SuccessStillPublished()
    {
        var e = Events.Lead(_tenant, type: "capture.test");
        await _amqp.PublishTextAsync(BusNames.EventsExchange, "capture.test", e);
        var captured = DeliveryId.For(_tenant, Events.Id(e), "captures");

        await _results.WaitForAsync(m => m.RoutingKey == BusNames.SucceededRoutingKey && m.BodyText.Contains(captured, StringComparison.Ordinal), Wait);
    }
}
