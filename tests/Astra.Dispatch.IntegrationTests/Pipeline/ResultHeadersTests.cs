using Astra.Dispatch.Contracts;
using Astra.Dispatch.IntegrationTests.Support;
using Astra.Dispatch.Testing;

namespace Astra.Dispatch.IntegrationTests.Pipeline;

/// <summary>
/// Results carry the tenant and the agent as AMQP headers, so a consumer of <c>astra.action-results</c> can filter by
/// tenant without reading bodies (the result publisher wrote them on main, but nothing read them off the real broker).
/// </summary>
public sealed class ResultHeadersTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task SucceededAndFailed_CarryTenantAndAgentHeaders()
    {
        var tenant = "rh-" + Guid.NewGuid().ToString("N")[..10];
        var vhost = await (await SharedBroker.GetAsync()).CreateVirtualHostAsync(tenant);
        await using var receiver = await HttpReceiver.StartAsync();
        receiver.Respond((request, _) => request.Path == "/fail" ? ReceiverResponse.Status(400) : ReceiverResponse.Ok("{}"));
        await using var amqp = await RawAmqp.ConnectAsync(vhost);
        await using var results = await amqp.TapAsync(BusNames.ResultsExchange, "action.*");
        await using var worker = await WorkerHost.StartAsync(vhost,
            RuleYaml.Post("ok", tenant, receiver.UrlFor("/ok")) + RuleYaml.Post("fail", tenant, receiver.UrlFor("/fail")));
        var withAgent = Events.Lead(tenant, agentId: "sales-assistant");
        var withoutAgent = Events.Lead(tenant);

        await amqp.PublishTextAsync(BusNames.EventsExchange, "lead.captured", withAgent);
        await amqp.PublishTextAsync(BusNames.EventsExchange, "lead.captured", withoutAgent);

        Task<AmqpMessage> ResultAsync(string json, string routingKey, string rule) => results.WaitForAsync(m => m.RoutingKey == routingKey
            && m.BodyText.Contains(Events.Id(json), StringComparison.Ordinal) && m.Json().GetProperty("ruleId").GetString() == rule, Wait);
        foreach (var (routingKey, rule) in new[] { (BusNames.SucceededRoutingKey, "ok"), (BusNames.FailedRoutingKey, "fail") })
        {
            var agent = await ResultAsync(withAgent, routingKey, rule);
            var none = await ResultAsync(withoutAgent, routingKey, rule);
            Assert.Equal(tenant, agent.Header(BusHeaders.TenantId));
            Assert.Equal("sales-assistant", agent.Header(BusHeaders.AgentId));
            Assert.Equal(tenant, none.Header(BusHeaders.TenantId));
            Assert.Null(none.Header(BusHeaders.AgentId));
        }
    }
}
