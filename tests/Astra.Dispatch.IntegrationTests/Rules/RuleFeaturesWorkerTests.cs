using System.Text.Json;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.IntegrationTests.Support;
using Astra.Dispatch.Testing;

namespace Astra.Dispatch.IntegrationTests.Rules;

/// <summary>
/// Rule features end to end on the real broker with the worker in-process: conditions, OAuth2 with refresh on 401,
/// response capture on astra.action-results, and poison events next to a valid one. One worker for the class: each
/// test has its own rule or event type, and its assertions look only at its own events.
/// </summary>
/// <summary>The worker, its virtual host and the receiver shared by <see cref="RuleFeaturesWorkerTests"/>.</summary>
public sealed class RuleFeaturesWorker : IAsyncLifetime
{
    private string _secrets = "";
    private int _tokens;
    private WorkerHost _worker = null!;

    public string Tenant { get; } = "rf-" + Guid.NewGuid().ToString("N")[..10];

    public HttpReceiver Receiver { get; private set; } = null!;

    public RawAmqp Amqp { get; private set; } = null!;

    public QueueTap Results { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var vhost = await (await SharedBroker.GetAsync()).CreateVirtualHostAsync(Tenant);
        Receiver = await HttpReceiver.StartAsync();
        Receiver.Respond((request, attempt) => request.Path switch
        {
            "/token" => ReceiverResponse.Ok($$"""{"access_token":"tk-{{Interlocked.Increment(ref _tokens)}}","expires_in":3600,"token_type":"Bearer"}"""),
            "/oauth" when attempt == 1 => ReceiverResponse.Status(401),
            "/capture" => ReceiverResponse.Ok("""{"data":{"id":"L-4411","phone":"+1 555 0100"},"ok":true}"""),
            _ => ReceiverResponse.Ok("{}"),
        });
        _secrets = Directory.CreateTempSubdirectory("astra-rf-secrets-").FullName;
        Directory.CreateDirectory(Path.Combine(_secrets, Tenant));
        await File.WriteAllTextAsync(Path.Combine(_secrets, Tenant, "OAUTH_CLIENT_SECRET"), "client-secret-" + Guid.NewGuid().ToString("N"));
        Amqp = await RawAmqp.ConnectAsync(vhost);
        Results = await Amqp.TapAsync(BusNames.ResultsExchange, "action.*");
        var rules = string.Concat(
            RuleYaml.Post($"{Tenant}-cond", Tenant, Receiver.UrlFor("/cond"))
                .Replace("    events: [lead.captured]\n", "    events: [lead.captured]\n    when: \"data.score >= 50 and data.email != blank\"\n", StringComparison.Ordinal),
            RuleYaml.Post($"{Tenant}-witness", Tenant, Receiver.UrlFor("/witness")),
            RuleYaml.Post($"{Tenant}-oauth", Tenant, Receiver.UrlFor("/oauth"), events: "[oauth.test]",
                extra: $"auth: {{ type: oauth2, tokenUrl: \"{Receiver.UrlFor("/token")}\", clientId: astra, scope: leads.write, secret: OAUTH_CLIENT_SECRET }}"),
            RuleYaml.Post($"{Tenant}-capture", Tenant, Receiver.UrlFor("/capture"), events: "[capture.test]",
                extra: "captureResponse: true\nresponseMap: { leadId: data.id }"));
        _worker = await WorkerHost.StartAsync(vhost, rules, new Dictionary<string, string?> { ["Dispatch:SecretsPath"] = _secrets });
    }

    public async Task DisposeAsync()
    {
        await _worker.DisposeAsync();
        await Results.DisposeAsync();
        await Amqp.DisposeAsync();
        await Receiver.DisposeAsync();
        Directory.Delete(_secrets, recursive: true);
    }
}

public sealed class RuleFeaturesWorkerTests(RuleFeaturesWorker worker) : IClassFixture<RuleFeaturesWorker>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _tenant = worker.Tenant;
    private readonly HttpReceiver _receiver = worker.Receiver;
    private readonly RawAmqp _amqp = worker.Amqp;
    private readonly QueueTap _results = worker.Results;

    private Task PublishAsync(string json, string type = "lead.captured") => _amqp.PublishTextAsync(BusNames.EventsExchange, type, json);

    private Task<AmqpMessage> ResultAsync(string eventId, string ruleId, string routingKey = "action.succeeded") =>
        _results.WaitForAsync(m => m.RoutingKey == routingKey && m.BodyText.Contains(eventId, StringComparison.Ordinal) && m.BodyText.Contains(ruleId, StringComparison.Ordinal), Wait);

    [Fact]
    public async Task Condition_MatchingAndNonMatchingEvents_FiresOnlyForTheMatch()
    {
        var low = Events.Lead(_tenant, data: new { email = "low@example.com", score = 10 });
        var noEmail = Events.Lead(_tenant, data: new { score = 99 });
        var high = Events.Lead(_tenant, data: new { email = "high@example.com", score = 87 });
        foreach (var e in new[] { low, noEmail, high })
            await PublishAsync(e);

        // The witness rule (no condition) proves each event was processed: its delivery is done with the same consumer call.
        foreach (var e in new[] { low, noEmail, high })
            await ResultAsync(Events.Id(e), $"{_tenant}-witness");
        await ResultAsync(Events.Id(high), $"{_tenant}-cond");

        // Only this test's events: the poison test's valid event fires the condition too.
        var mine = new[] { low, noEmail, high }.Select(e => DeliveryId.For(_tenant, Events.Id(e), $"{_tenant}-cond")).ToHashSet();
        var fired = _receiver.Requests.Where(r => r.Path == "/cond" && mine.Contains(r.Header("webhook-id") ?? "")).ToList();
        Assert.Equal("high@example.com", Assert.Single(fired).Json().GetProperty("email").GetString());
        Assert.DoesNotContain(_results.Messages, m => m.BodyText.Contains($"{_tenant}-cond", StringComparison.Ordinal)
            && (m.BodyText.Contains(Events.Id(low), StringComparison.Ordinal) || m.BodyText.Contains(Events.Id(noEmail), StringComparison.Ordinal)));
    }

    [Fact]
    public async Task OAuth2_TokenFetchedAndRefreshedOnceAfter401_Delivered()
    {
        var e = Events.Lead(_tenant, type: "oauth.test");
        await PublishAsync(e, "oauth.test");

        var result = await ResultAsync(Events.Id(e), $"{_tenant}-oauth");

        var calls = _receiver.Requests.Where(r => r.Path == "/oauth").ToList();
        Assert.Equal(["Bearer tk-1", "Bearer tk-2"], calls.Select(c => c.Header("Authorization")));
        var tokenCalls = _receiver.Requests.Where(r => r.Path == "/token").ToList();
        Assert.Equal(2, tokenCalls.Count);
        Assert.Contains("grant_type=client_credentials", tokenCalls[0].Body, StringComparison.Ordinal);
        Assert.Contains("scope=leads.write", tokenCalls[0].Body, StringComparison.Ordinal);
        Assert.Equal(1, JsonDocument.Parse(result.Body).RootElement.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task CaptureResponse_ResponseMapPicksTheRecordId_OnActionResults()
    {
        var e = Events.Lead(_tenant, type: "capture.test");
        await PublishAsync(e, "capture.test");

        var result = await ResultAsync(Events.Id(e), $"{_tenant}-capture");

        var body = JsonDocument.Parse(result.Body).RootElement;
        Assert.Equal(DeliveryId.For(_tenant, Events.Id(e), $"{_tenant}-capture"), body.GetProperty("deliveryId").GetString());
        Assert.Equal("L-4411", body.GetProperty("response").GetProperty("leadId").GetString());
        Assert.Equal(200, body.GetProperty("httpStatus").GetInt32());
    }

    [Fact]
    public async Task PoisonEvents_LandInEventsErrorQueue_AndAValidEventAfterwardsIsDelivered()
    {
        var marker = "poison-" + Guid.NewGuid().ToString("N");
        string[] poison =
        [
            $$"""{"eventId":"{{marker}}-1","type":"lead.captured","tenantId":"{{_tenant}}" """,
            $$"""{"eventId":"{{marker}}-2","type":"Lead Captured!","tenantId":"{{_tenant}}"}""",
            $$"""{"eventId":"{{marker}}-3","type":"lead.captured"}""",
            $$"""{"eventId":"{{marker}}-4","type":"lead.captured","tenantId":"{{_tenant}}","data":"not an object"}""",
            $$"""{"eventId":{{marker.Length}},"type":"lead.captured","tenantId":"{{_tenant}}","x":"{{marker}}-5"}""",
            $$"""["{{marker}}-6"]""",
            $$"""{"eventId":"{{marker}}-7","type":"lead.captured","tenantId":"{{_tenant}}","data":{{new string('[', 200)}}""",
            $$"""not json at all {{marker}}-8""",
            $$"""{"eventId":"","type":"lead.captured","tenantId":"{{_tenant}}","x":"{{marker}}-9"}""",
            $$"""{"eventId":"{{marker}}-10","type":"lead.captured","tenantId":"{{_tenant}}","occurredAt":"yesterday"}""",
        ];
        foreach (var body in poison)
            await PublishAsync(body);
        var valid = Events.Lead(_tenant);
        await PublishAsync(valid);

        await ResultAsync(Events.Id(valid), $"{_tenant}-witness");
        var deadline = DateTime.UtcNow + Wait;
        List<AmqpMessage> mine;
        do
        {
            // MassTransit declares the error queue on the first fault, which may come after the valid event's result.
            mine = [.. (await _amqp.GetAllIfAnyAsync(BusNames.EventsErrorQueue, remove: false)).Where(m => m.BodyText.Contains(marker, StringComparison.Ordinal))];
            if (mine.Count < poison.Length)
                await Task.Delay(200);
        }
        while (mine.Count < poison.Length && DateTime.UtcNow < deadline);
        Assert.Equal(poison.Length, mine.Count);
        Assert.All(mine, m => Assert.Contains(m.Headers.Keys, k => k.StartsWith("MT-Fault", StringComparison.Ordinal)));
    }
}
