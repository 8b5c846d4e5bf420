using Astra.Dispatch.Contracts;
using Astra.Dispatch.IntegrationTests.Durability;
using Astra.Dispatch.IntegrationTests.Support;
using Astra.Dispatch.Testing;
using Astra.Dispatch.Testing.Postgres;
using Xunit.Abstractions;

namespace Astra.Dispatch.IntegrationTests.Replicas;

/// <summary>
/// A publisher's retry: every event published twice, the copy right after the original. The delivery log lags the bus,
/// so the planner cannot tell the copy is one; the claim taken before each send must keep the second copy from sending.
/// </summary>
public sealed class DuplicatePublishTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _tenant = Some.Tenant();
    private HttpReceiver _receiver = null!;
    private Uri _vhost = null!;

    public async Task InitializeAsync()
    {
        _vhost = await (await SharedBroker.GetAsync()).CreateVirtualHostAsync(_tenant);
        _receiver = await HttpReceiver.StartAsync();
    }

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task EveryEventPublishedTwice_OneWorker_EachDeliverySentOnce(string database)
    {
        const int count = 25;
        await using var postgres = database == "postgres" ? await SharedPostgres.CreateDatabaseAsync() : null;
        var settings = new Dictionary<string, string?>();
        if (postgres is not null)
            settings["Dispatch:Database"] = postgres.Url;
        await using var worker = await WorkerHost.StartAsync(_vhost, Some.Rule("dup", _tenant, _receiver.UrlFor("hooks/{{ eventId }}")), settings);
        await using var amqp = await RawAmqp.ConnectAsync(_vhost);
        await using var results = await amqp.TapAsync(BusNames.ResultsExchange, BusNames.SucceededRoutingKey);

        for (var i = 0; i < count; i++)
        {
            await amqp.PublishEventAsync(_tenant, $"evt-{i}");
            await amqp.PublishEventAsync(_tenant, $"evt-{i}");
        }

        await _receiver.WaitForCountAsync(count, TimeSpan.FromSeconds(30));
        // The second copies are deferred for a second and then find their delivery succeeded: give them time to show.
        await Task.Delay(TimeSpan.FromSeconds(4));
        var perDelivery = _receiver.Requests.GroupBy(r => r.Header(RequestHeaders.WebhookId)).ToDictionary(g => g.Key!, g => g.Count());
        output.WriteLine($"{perDelivery.Count} deliveries, {perDelivery.Count(p => p.Value > 1)} sent more than once, {results.Messages.Count} action.succeeded");
        Assert.Equal(count, perDelivery.Count);
        Assert.All(perDelivery, p => Assert.Equal(1, p.Value));
        Assert.Equal(count, results.Messages.Select(m => System.Text.Json.JsonDocument.Parse(m.BodyText).RootElement.GetProperty("deliveryId").GetString()).Distinct().Count());
        Assert.Equal(count, results.Messages.Count);
    }
}
