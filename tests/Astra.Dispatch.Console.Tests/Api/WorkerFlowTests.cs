using System.Net;
using System.Text.Json;
using Astra.Dispatch.Console.Tests.Api.Support;
using Astra.Dispatch.Testing;

namespace Astra.Dispatch.Console.Tests.Api;

/// <summary>
/// The API beside a running worker on a real broker and database: a rule put over HTTP delivers, the delivery is found
/// and shown with its attempts, a dead letter is seen only by its tenant and redriven from the real error queue into
/// the worker, which delivers it.
/// </summary>
public abstract class WorkerFlowTests(string database) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(45);
    private readonly string _tenant = "t" + Guid.NewGuid().ToString("N")[..8];
    private HttpReceiver _receiver = null!;
    private ConsoleApp _app = null!;
    private InProcessWorker _worker = null!;
    private RawAmqp _amqp = null!;
    private string _operator = null!;

    public async Task InitializeAsync()
    {
        var vhost = await (await SharedBroker.GetAsync()).CreateVirtualHostAsync(_tenant);
        _receiver = await HttpReceiver.StartAsync();
        _app = await ConsoleApp.StartAsync(database, vhost.ToString());
        _worker = await InProcessWorker.StartAsync(vhost, _app.Settings["Dispatch:Database"]!, _app.Folder);
        _amqp = await RawAmqp.ConnectAsync(vhost);
        _operator = await _app.KeyAsync("operator", _tenant, "support");
    }

    public async Task DisposeAsync()
    {
        await _amqp.DisposeAsync();
        await _worker.DisposeAsync();
        await _app.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task PutRule_PublishEvent_DeliveryListedWithAttempts()
    {
        await PutRuleAsync("crm");
        var eventId = "evt_" + Guid.NewGuid().ToString("N");

        await PublishAsync(eventId);
        await _receiver.WaitForRequestAsync(r => r.Path == "/leads", Wait);
        var delivery = await WaitForDeliveryAsync($"rule=crm&event={eventId}&status=succeeded");
        var detail = (await _app.Client.GetAsync($"/api/v1/tenants/{_tenant}/deliveries/{delivery}", _operator)).AssertOk();

        Assert.Equal(200, detail.GetProperty("attempts")[0].GetProperty("statusCode").GetInt32());
        Assert.Equal("succeeded", detail.GetProperty("delivery").GetProperty("status").GetString());
        var other = await _app.KeyAsync("viewer", "someone-else");
        (await _app.Client.GetAsync($"/api/v1/tenants/{_tenant}/deliveries/{delivery}", other)).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task DeadLetter_SeenByItsTenantOnly_RedrivenThroughApi_Delivered()
    {
        _receiver.RespondAlways(new ReceiverResponse { StatusCode = 400 }); // permanent: dead-lettered at once
        await PutRuleAsync("crm");
        var eventId = "evt_" + Guid.NewGuid().ToString("N");
        await PublishAsync(eventId);
        var delivery = await WaitForDeliveryAsync($"event={eventId}&status=failed");
        var admin = await _app.KeyAsync("admin");
        var otherTenant = await _app.KeyAsync("operator", "someone-else");
        var viewer = await _app.KeyAsync("viewer", _tenant);

        var listed = await WaitForAsync(async () =>
            (await _app.Client.GetAsync("/api/v1/dead-letters?queue=send", _operator)).AssertOk().GetProperty("items").EnumerateArray()
                .Any(l => l.GetProperty("id").GetString() == delivery));
        var byAdmin = (await _app.Client.GetAsync("/api/v1/dead-letters", admin)).AssertOk().GetProperty("items");
        var byOther = (await _app.Client.GetAsync("/api/v1/dead-letters", otherTenant)).AssertOk().GetProperty("items");
        var otherRedrive = (await _app.Client.SendAsync(HttpMethod.Post, "/api/v1/dead-letters/redrive", otherTenant, $$"""{ "ids": ["{{delivery}}"] }""")).AssertOk();
        (await _app.Client.GetAsync("/api/v1/dead-letters", viewer)).AssertProblem(HttpStatusCode.Forbidden);
        var letter = (await _app.Client.GetAsync("/api/v1/dead-letters", _operator)).Json.GetProperty("items").EnumerateArray()
            .Single(l => l.GetProperty("id").GetString() == delivery);

        _receiver.Reset();
        var redrive = (await _app.Client.SendAsync(HttpMethod.Post, "/api/v1/dead-letters/redrive", _operator, $$"""{ "queue": "send", "ids": ["{{delivery}}"] }""")).AssertOk();
        await _receiver.WaitForRequestAsync(r => r.Path == "/leads", Wait);
        await WaitForDeliveryAsync($"event={eventId}&status=succeeded");
        var audit = (await _app.Client.GetAsync("/api/v1/audit?action=dead-letters.redriven", _operator)).AssertOk().GetProperty("items");

        Assert.True(listed, "the dead letter never showed up for its tenant's key");
        Assert.Equal(_tenant, letter.GetProperty("tenantId").GetString());
        Assert.Equal("crm", letter.GetProperty("ruleId").GetString());
        Assert.Contains(byAdmin.EnumerateArray(), l => l.GetProperty("id").GetString() == delivery);
        Assert.DoesNotContain(byOther.EnumerateArray(), l => l.GetProperty("id").GetString() == delivery);
        Assert.Empty(otherRedrive.GetProperty("moved").EnumerateArray());
        Assert.Equal([delivery], otherRedrive.GetProperty("notFound").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal([delivery], redrive.GetProperty("moved").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal("astra.dispatch.send", redrive.GetProperty("target").GetString());
        Assert.Equal(JsonValueKind.Null, redrive.GetProperty("kept").ValueKind); // counts every tenant's: not for a tenant key
        var entry = Assert.Single(audit.EnumerateArray());
        Assert.Equal("key:support", entry.GetProperty("actor").GetString());
        Assert.Equal(_tenant, entry.GetProperty("tenantId").GetString());
        Assert.Empty((await _app.Client.GetAsync("/api/v1/dead-letters", _operator)).AssertOk().GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Resend_SucceededDelivery_SentAgainWithTheSameDeliveryId_Audited()
    {
        await PutRuleAsync("crm");
        var eventId = "evt_" + Guid.NewGuid().ToString("N");
        await PublishAsync(eventId);
        var first = await _receiver.WaitForRequestAsync(r => r.Path == "/leads", Wait);
        var delivery = await WaitForDeliveryAsync($"event={eventId}&status=succeeded");

        var answer = await _app.Client.SendAsync(HttpMethod.Post, $"/api/v1/tenants/{_tenant}/deliveries/{delivery}/resend", _operator);

        var body = answer.AssertOk(HttpStatusCode.Accepted);
        Assert.Equal(("succeeded", "pending"), (body.GetProperty("previousStatus").GetString(), body.GetProperty("status").GetString()));
        var again = await _receiver.WaitForCountAsync(2, Wait);
        Assert.Equal(first.Headers["webhook-id"], again[1].Headers["webhook-id"]);
        Assert.Equal(delivery, again[1].Headers["webhook-id"]);
        await WaitForDeliveryAsync($"event={eventId}&status=succeeded");
        var audit = (await _app.Client.GetAsync($"/api/v1/audit?action=delivery.resent", _operator)).AssertOk().GetProperty("items").EnumerateArray().Single();
        Assert.Equal(("key:support", $"deliveries/{_tenant}/{delivery}"), (audit.GetProperty("actor").GetString(), audit.GetProperty("target").GetString()));
    }

    [Fact]
    public async Task Status_Admin_QueuesWithConsumers()
    {
        var admin = await _app.KeyAsync("admin");

        var status = (await _app.Client.GetAsync("/api/v1/status", admin)).AssertOk();

        Assert.True(status.GetProperty("broker").GetProperty("connected").GetBoolean(), status.GetRawText());
        var send = status.GetProperty("queues").EnumerateArray().Single(q => q.GetProperty("name").GetString() == "astra.dispatch.send");
        Assert.True(send.GetProperty("consumers").GetInt32() >= 1);
    }

    private async Task PutRuleAsync(string id)
    {
        var yaml = $$$"""
            trigger: { events: [lead.captured] }
            request:
              method: POST
              url: "{{{_receiver.UrlFor("/leads")}}}"
              body: '{ "email": {{ data.email | json }} }'
            """;
        (await _app.Client.SendAsync(HttpMethod.Put, $"/api/v1/tenants/{_tenant}/rules/{id}", _operator, yaml, "application/yaml")).AssertOk(HttpStatusCode.Created);
        // The worker's rule cache checks the database every 200 ms.
        await Task.Delay(600);
    }

    private Task PublishAsync(string eventId) =>
        _amqp.PublishJsonAsync("astra.events", "lead.captured", new
        {
            eventId,
            type = "lead.captured",
            tenantId = _tenant,
            data = new { email = "ada@example.com" },
        }, mandatory: true);

    private async Task<string> WaitForDeliveryAsync(string query)
    {
        string? id = null;
        var found = await WaitForAsync(async () =>
        {
            var page = (await _app.Client.GetAsync($"/api/v1/tenants/{_tenant}/deliveries?{query}", _operator)).AssertOk();
            id = page.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("id").GetString()).FirstOrDefault();
            return id is not null;
        });
        Assert.True(found, $"no delivery matching {query} within {Wait}");
        return id!;
    }

    private static async Task<bool> WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTimeOffset.UtcNow + Wait;
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (await condition())
                return true;
            await Task.Delay(200);
        }
        return false;
    }
}

/// <summary><see cref="WorkerFlowTests"/> on SQLite.</summary>
public sealed class WorkerFlowOnSqliteTests() : WorkerFlowTests(ConsoleApp.Sqlite);

/// <summary><see cref="WorkerFlowTests"/> on PostgreSQL.</summary>
public sealed class WorkerFlowOnPostgresTests() : WorkerFlowTests(ConsoleApp.Postgres);
