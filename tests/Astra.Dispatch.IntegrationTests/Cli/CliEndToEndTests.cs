using System.Text.Json;
using Astra.Dispatch.Cli;
using Astra.Dispatch.IntegrationTests.Support;
using Astra.Dispatch.Testing;

namespace Astra.Dispatch.IntegrationTests.Cli;

/// <summary>The CLI in-process against the real broker and a running worker's database.</summary>
public sealed class CliEndToEndTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _tenant = "cli" + Guid.NewGuid().ToString("N")[..8];
    private Uri _vhost = null!;
    private HttpReceiver _receiver = null!;
    private WorkerHost _worker = null!;
    private Dictionary<string, string?> _settings = null!;

    public async Task InitializeAsync()
    {
        _vhost = await (await SharedBroker.GetAsync()).CreateVirtualHostAsync(_tenant);
        _receiver = await HttpReceiver.StartAsync();
        _worker = await WorkerHost.StartAsync(_vhost, Rule("crm-" + _tenant, _receiver.UrlFor("/leads")));
        _settings = new Dictionary<string, string?>
        {
            ["Dispatch:RabbitMq:Uri"] = _vhost.ToString(),
            ["Dispatch:Database"] = _worker.DatabasePath,
            ["Dispatch:Http:AllowPlainHttp"] = "true",
            ["Dispatch:Http:AllowedNetworks:0"] = "127.0.0.0/8",
            // Receivers listen on random loopback ports.
            ["Dispatch:Http:AllowedPorts:0"] = "1024-65535",
        };
    }

    public async Task DisposeAsync()
    {
        await _worker.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task ImportListTestPublish_ThenDeliveriesShow_Delivered()
    {
        var extraId = "extra-" + _tenant;
        var rulesFile = Write("extra.yaml", Rule(extraId, _receiver.UrlFor("/extra")));
        var eventId = "evt_" + Guid.NewGuid().ToString("N");
        var eventJson = Events.Lead(_tenant, eventId);
        var eventFile = Write("event.json", eventJson);

        Assert.Equal(0, (await RunAsync("rules", "import", rulesFile)).ExitCode);
        var list = await RunAsync("rules", "list", "--tenant", _tenant, "--json");
        var test = await RunAsync("rules", "test", extraId, "--event", eventFile, "--json");
        // Another process's import reaches the worker on its next rules refresh: publish after that.
        var catalog = _worker.Get<Astra.Dispatch.Catalog.RuleCatalog>();
        Assert.True(await WaitForAsync(() => Task.FromResult(catalog.Current.Find(_tenant, extraId) is not null)));
        var publish = await RunAsync("events", "publish", eventFile);
        await _receiver.WaitForRequestAsync(r => r.Path == "/extra", Wait);
        var delivery = await WaitForDeliveryAsync(extraId, eventId, "succeeded");
        var show = await RunAsync("deliveries", "show", delivery, "--json");
        var status = await RunAsync("status", "--json");

        Assert.Equal(0, status.ExitCode);
        var sendQueue = JsonDocument.Parse(status.Out).RootElement.GetProperty("queues").EnumerateArray()
            .Single(q => q.GetProperty("name").GetString() == "astra.dispatch.send");
        Assert.True(sendQueue.GetProperty("consumers").GetInt32() >= 1);
        Assert.Equal(2, JsonDocument.Parse(list.Out).RootElement.GetArrayLength());
        Assert.True(JsonDocument.Parse(test.Out).RootElement.GetProperty("matches").GetBoolean());
        Assert.Equal(0, publish.ExitCode);
        var shown = JsonDocument.Parse(show.Out).RootElement;
        Assert.Equal("succeeded", shown.GetProperty("delivery").GetProperty("status").GetString());
        Assert.Equal(200, shown.GetProperty("attempts")[0].GetProperty("statusCode").GetInt32());
    }

    [Fact]
    public async Task FailingEndpoint_DlqListThenRedriveAfterFix_Delivered()
    {
        _receiver.RespondAlways(new ReceiverResponse { StatusCode = 503 });
        var eventId = "evt_" + Guid.NewGuid().ToString("N");
        var eventJson = Events.Lead(_tenant, eventId);
        var ruleId = "crm-" + _tenant;

        Assert.Equal(0, (await RunAsync("events", "publish", Write("event.json", eventJson))).ExitCode);
        var delivery = await WaitForDeliveryAsync(ruleId, eventId, "failed");
        var listed = await WaitForAsync(async () =>
        {
            var list = await RunAsync("dlq", "list", "--json", "--limit", "10000");
            Assert.True(list.ExitCode == 0, list.Err);
            return JsonDocument.Parse(list.Out).RootElement.EnumerateArray().Any(l => l.GetProperty("id").GetString() == delivery);
        });
        var show = await RunAsync("dlq", "show", delivery, "--json");
        // One more failure after the redrive: only a message whose attempt and redelivery counts were reset
        // gets a retry for it; a stale count would send it straight back to the error queue.
        _receiver.Reset();
        _receiver.RespondInSequence(new ReceiverResponse { StatusCode = 503 }, new ReceiverResponse { StatusCode = 200 });
        var redrive = await RunAsync("dlq", "redrive", delivery, "--json");
        await WaitForDeliveryAsync(ruleId, eventId, "succeeded");
        var after = await RunAsync("dlq", "list", "--json", "--limit", "10000");

        Assert.True(listed);
        Assert.Equal(ruleId, JsonDocument.Parse(show.Out).RootElement.GetProperty("ruleId").GetString());
        Assert.Equal(0, redrive.ExitCode);
        Assert.Equal([delivery], JsonDocument.Parse(redrive.Out).RootElement.GetProperty("moved").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(2, _receiver.Requests.Count(r => r.Path == "/leads")); // after the reset: the 503, then the 200
        Assert.DoesNotContain(JsonDocument.Parse(after.Out).RootElement.EnumerateArray(), l => l.GetProperty("id").GetString() == delivery);
    }

    private string Rule(string id, Uri url) =>
        RuleYaml.Post(id, _tenant, url, body: """{ "email": {{ data.email | json }} }""", extra: "retry: { schedule: [1s] }");

    private string Write(string name, string text)
    {
        var path = Path.Combine(_worker.Folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private async Task<(int ExitCode, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, output, error, _settings);
        return (code, output.ToString(), error.ToString());
    }

    private async Task<string> WaitForDeliveryAsync(string ruleId, string eventId, string status)
    {
        string? id = null;
        var found = await WaitForAsync(async () =>
        {
            var list = await RunAsync("deliveries", "list", "--rule", ruleId, "--event", eventId, "--status", status, "--json");
            id = JsonDocument.Parse(list.Out).RootElement.EnumerateArray().Select(d => d.GetProperty("id").GetString()).FirstOrDefault();
            return id is not null;
        });
        Assert.True(found, $"no {status} delivery of rule {ruleId} for event {eventId} within {Wait}");
        return id!;
    }

    // The delivery log is written in batches in the background, so reads poll until it shows up.
    private static async Task<bool> WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTimeOffset.UtcNow + Wait;
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (await condition())
                return true;
            await Task.Delay(100);
        }
        return false;
    }
}
