using System.Text.Json;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.IntegrationTests.Support;
using Astra.Dispatch.Testing;

namespace Astra.Dispatch.IntegrationTests.Durability;

/// <summary>A delay tier the broker refuses to declare, on the real broker and worker.</summary>
public sealed class DelayTierRefusedTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <c>astra.dispatch.delay.5s</c> already exists with another x-message-ttl (as a rule's <c>5.0007s</c> made it on
    /// main, or an operator's queue), so the broker answers 406 PRECONDITION_FAILED. On main the worker did not start. Now
    /// it starts, logs the refusal once, counts it, delivers for the other rules, and fails the deliveries that would
    /// retry through that tier with a clear error.
    /// </summary>
    [Fact]
    public async Task Start_TierDeclaredWithAnotherTtl_WorkerStartsAndDeliversForOtherRules_TheRuleNeedingItFailsClearly()
    {
        var broker = await SharedBroker.GetAsync();
        var tenant = "tier-" + Guid.NewGuid().ToString("N")[..10];
        var vhost = await broker.CreateVirtualHostAsync(tenant);
        await using var receiver = await HttpReceiver.StartAsync();
        receiver.Respond((request, _) => request.Path == "/five" ? ReceiverResponse.Status(503) : ReceiverResponse.Status(200));
        await using var amqp = await RawAmqp.ConnectAsync(vhost);
        await using (var channel = await amqp.Connection.CreateChannelAsync())
        {
            await channel.QueueDeclareAsync(BusNames.DelayQueue(TimeSpan.FromSeconds(5)), durable: true, exclusive: false, autoDelete: false,
                new Dictionary<string, object?> { ["x-message-ttl"] = 1234L });
        }
        await using var results = await amqp.TapAsync(BusNames.ResultsExchange, "action.*");
        var logs = new CapturingLoggerProvider();
        var rules = RuleYaml.Post($"{tenant}-fine", tenant, receiver.UrlFor("/fine"))
            + RuleYaml.Post($"{tenant}-five", tenant, receiver.UrlFor("/five"), extra: "retry: { schedule: [5s, 1s] }");

        await using var worker = await WorkerHost.StartAsync(vhost, rules, logs: logs);
        var e = Events.Lead(tenant);
        await amqp.PublishTextAsync(BusNames.EventsExchange, "lead.captured", e);

        await results.WaitForAsync(m => m.RoutingKey == "action.succeeded" && m.BodyText.Contains($"{tenant}-fine", StringComparison.Ordinal), Wait);
        var failed = await results.WaitForAsync(m => m.RoutingKey == "action.failed" && m.BodyText.Contains($"{tenant}-five", StringComparison.Ordinal), Wait);
        Assert.Equal("not retried: its retry delay 5s cannot be used (the broker refused to declare that delay tier's queue; see the worker's log); last error: HTTP 503",
            JsonDocument.Parse(failed.Body).RootElement.GetProperty("error").GetString());
        Assert.Single(receiver.Requests, r => r.Path == "/five");
        var lines = logs.Text.Split('\n');
        var refusal = Assert.Single(lines, l => l.Contains("The broker refused to declare the delay tier", StringComparison.Ordinal));
        Assert.Contains("astra.dispatch.delay.5s (406 PRECONDITION_FAILED", refusal, StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains("Delay tier astra.dispatch.delay.5s cannot be used", StringComparison.Ordinal)
            && l.Contains($"{tenant}/{tenant}-five", StringComparison.Ordinal));
        using var http = new HttpClient { BaseAddress = worker.HealthUri };
        Assert.Contains("astra_dispatch_delay_tiers_refused", await http.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);
    }
}
