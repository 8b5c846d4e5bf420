using System.Diagnostics;
using System.Text.Json;
using Astra.Dispatch.Catalog;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.IntegrationTests.Durability;
using Astra.Dispatch.Testing;
using Xunit.Abstractions;

namespace Astra.Dispatch.IntegrationTests.Replicas;

/// <summary>Two workers on one PostgreSQL: one truth for deliveries, rule state and the operator's commands.</summary>
public sealed class TwoWorkersTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly string _tenant = Some.Tenant();
    private HttpReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await HttpReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task FiveHundredEvents_EachDeliveredOnceAndTheCliListsAllFromOneDatabase()
    {
        const int count = 500;
        await using var workers = await TwoWorkers.StartAsync("once", Some.Rule("once", _tenant, _receiver.UrlFor("hooks/{{ eventId }}")));
        await using var amqp = await RawAmqp.ConnectAsync(workers.Vhost);

        for (var i = 0; i < count; i++)
            await amqp.PublishEventAsync(_tenant, $"evt-{i}");
        await _receiver.WaitForCountAsync(count, Wait);
        var list = await WaitForListAsync(workers, count, DeliveryStatus.Succeeded);

        var perDelivery = _receiver.Requests.GroupBy(r => r.Header(RequestHeaders.WebhookId)).ToDictionary(g => g.Key!, g => g.Count());
        output.WriteLine($"{perDelivery.Count} distinct deliveries, {perDelivery.Values.Sum()} requests; attempts by A {workers.A.Get<Storage.DeliveryClaims>().Taken}, by B {workers.B.Get<Storage.DeliveryClaims>().Taken}");
        Assert.Equal(count, perDelivery.Count);
        Assert.All(perDelivery.Values, n => Assert.Equal(1, n));
        Assert.Equal(perDelivery.Keys.Order(), list.Order());
        // Both replicas did a share of the work.
        Assert.True(workers.A.Get<Storage.DeliveryClaims>().Taken > 0 && workers.B.Get<Storage.DeliveryClaims>().Taken > 0);
    }

    [Fact]
    public async Task GoneOnOneReplica_RulePausedForBoth_TheEndpointGetsNoFurtherRequest()
    {
        _receiver.Respond((r, _) => r.Path.StartsWith("/gone", StringComparison.Ordinal) ? ReceiverResponse.Status(410) : ReceiverResponse.Ok());
        await using var workers = await TwoWorkers.StartAsync("gone", Some.Rule("gone", _tenant, _receiver.UrlFor("gone/{{ eventId }}"))
            + Some.Rule("alive", _tenant, _receiver.UrlFor("alive/{{ eventId }}")));
        await using var amqp = await RawAmqp.ConnectAsync(workers.Vhost);

        await amqp.PublishEventAsync(_tenant, "evt-first");
        await _receiver.WaitForRequestAsync(r => r.Path == "/gone/evt-first", Wait);
        await WaitUntilAsync(() => workers.Both.All(w => w.Get<RuleCatalog>().Current.Find(_tenant, "gone") is { Enabled: false }), TimeSpan.FromSeconds(5));
        for (var i = 0; i < 40; i++)
            await amqp.PublishEventAsync(_tenant, $"evt-{i}");
        await _receiver.WaitForCountAsync(1 + 1 + 40, Wait); // the first event's two requests, then "alive" for each
        await Task.Delay(TimeSpan.FromSeconds(2));

        Assert.Equal(["/gone/evt-first"], _receiver.Requests.Where(r => r.Path.StartsWith("/gone", StringComparison.Ordinal)).Select(r => r.Path));
        var show = await workers.CliAsync("rules", "show", "gone", "--tenant", _tenant, "--json");
        Assert.Contains("410 Gone", show.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RulesDisableFromTheCli_BothReplicasStopWithinASecondOrTwo()
    {
        await using var workers = await TwoWorkers.StartAsync("disable", Some.Rule("steady", _tenant, _receiver.UrlFor("steady/{{ eventId }}")),
            new Dictionary<string, string?> { ["Dispatch:RulesRefreshInterval"] = "00:00:01" });
        await using var amqp = await RawAmqp.ConnectAsync(workers.Vhost);
        using var stop = new CancellationTokenSource();
        var publishing = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                await amqp.PublishEventAsync(_tenant, $"evt-{i}");
                await Task.Delay(10);
            }
        });
        await _receiver.WaitForCountAsync(50, Wait);

        var disable = await workers.CliAsync("rules", "disable", "steady", "--tenant", _tenant);
        var disabledAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        await WaitUntilAsync(() => workers.Both.All(w => w.Get<RuleCatalog>().Current.Find(_tenant, "steady") is { Enabled: false }), TimeSpan.FromSeconds(2));
        var cachesStopped = clock.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(3));
        await stop.CancelAsync();
        await publishing;

        var late = _receiver.Requests.Where(r => r.ReceivedAt > disabledAt.AddMilliseconds(250)).ToList();
        output.WriteLine($"disable took both caches {cachesStopped.TotalMilliseconds:F0} ms; {_receiver.Requests.Count} requests in all, {late.Count} later than 250 ms after");
        Assert.Equal(0, disable.ExitCode);
        Assert.Empty(late);
    }

    [Fact]
    public async Task RateLimitTenPerSecond_TwoReplicasOfferedTwiceThat_TheEndpointSeesTheLimitForTheFleet()
    {
        await using var workers = await TwoWorkers.StartAsync("rate", Some.Rule("limited", _tenant, _receiver.UrlFor("limited/{{ eventId }}")).TrimEnd() + "\n  rateLimit: 10/s\n",
            new Dictionary<string, string?> { ["Dispatch:RabbitMq:ConsumerCountInterval"] = "00:00:00.500" });
        await WaitUntilAsync(() => workers.Both.All(w => w.Get<Astra.Dispatch.Delivery.ISendConsumerCount>().Current == 2), TimeSpan.FromSeconds(10));
        await using var amqp = await RawAmqp.ConnectAsync(workers.Vhost);

        // 20 events a second for four seconds: twice the limit, which is what two unshared replicas would send.
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 80; i++)
        {
            await amqp.PublishEventAsync(_tenant, $"evt-{i}");
            var due = TimeSpan.FromMilliseconds(50 * (i + 1)) - clock.Elapsed;
            if (due > TimeSpan.Zero)
                await Task.Delay(due);
        }
        await Task.Delay(TimeSpan.FromSeconds(2));

        var times = _receiver.Requests.Select(r => r.ReceivedAt).Order().ToList();
        var busiestSecond = times.Max(t => times.Count(u => u >= t && u < t.AddSeconds(1)));
        var firstFour = times.Count(t => t < times[0].AddSeconds(4));
        output.WriteLine($"{times.Count} requests in {(times[^1] - times[0]).TotalSeconds:F1} s, {firstFour} in the first 4 s; at most {busiestSecond} in any second");
        // Each replica refills 5 a second with a burst of 1: it admits at most the limit plus one per replica in any one
        // second; the way to the endpoint (claims, HTTP) jitters by some tens of milliseconds, which may bunch a few more
        // into one second as the endpoint sees it. Tolerance: 1.5 × the limit in any second, the limit (+ bursts) on average.
        Assert.InRange(busiestSecond, 1, 15);
        Assert.InRange(firstFour, 1, 4 * 10 + 2);
    }

    private static async Task<IReadOnlyList<string>> WaitForListAsync(TwoWorkers workers, int count, string status)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var list = await workers.CliAsync("deliveries", "list", "--status", status, "--limit", "100000", "--json");
            Assert.True(list.ExitCode == 0, list.Err);
            var ids = JsonDocument.Parse(list.Out).RootElement.EnumerateArray().Select(d => d.GetProperty("id").GetString()!).ToList();
            if (ids.Count >= count || clock.Elapsed > Wait)
                return ids;
            await Task.Delay(200);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"not within {timeout.TotalSeconds}s");
            await Task.Delay(20);
        }
    }
}
