using System.Diagnostics;
using Astra.Dispatch.IntegrationTests.Support;
using Astra.Dispatch.Testing;
using Dapper;

namespace Astra.Dispatch.IntegrationTests.Durability;

/// <summary>
/// Nothing is lost when the worker stops (gracefully or killed) or the broker restarts mid-run: the receiver
/// sees every delivery at least once.
/// </summary>
[Collection(DurabilityCollection.Name)]
public sealed class WorkerResilienceTests(DurabilityBroker fixture) : IAsyncLifetime
{
    private const string WarmupEventId = "evt-warmup";
    private const string WarmupPath = "/hooks/" + WarmupEventId;
    private readonly string _tenant = Some.Tenant();
    private RabbitMqBroker Broker => fixture.Broker;
    private HttpReceiver _receiver = null!;
    private RawAmqp _amqp = null!;

    public async Task InitializeAsync()
    {
        await fixture.PurgeDispatchQueuesAsync();
        _receiver = await HttpReceiver.StartAsync();
        _amqp = await RawAmqp.ConnectAsync(Broker);
    }

    public async Task DisposeAsync()
    {
        await _amqp.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task Worker_GracefulStopMidRun_NothingLostAndCompletedDeliveriesNotResent()
    {
        const int count = 300;
        _receiver.RespondAlways(ReceiverResponse.Ok() with { Delay = TimeSpan.FromMilliseconds(300) });
        // Few sends at a time, so the stop finds most commands still queued however fast or slow this machine is.
        await using var worker = await WorkerHost.StartAsync(Broker.AmqpUri, Some.Rule("graceful", _tenant, _receiver.UrlFor("hooks/{{ eventId }}")),
            new Dictionary<string, string?> { ["Dispatch:RabbitMq:SendConcurrency"] = "16", ["Dispatch:RabbitMq:SendPrefetch"] = "16" });
        for (var i = 0; i < count; i++)
            await _amqp.PublishEventAsync(_tenant, $"evt-{i}");

        await _receiver.WaitForCountAsync(60, TimeSpan.FromSeconds(30));
        await worker.StopAsync();

        // Every call that was sent finished within the grace period and its success is in the log.
        var sentBeforeStop = _receiver.Requests.Select(r => r.Path).ToHashSet();
        var succeeded = (await Some.QueryAsync(worker.DatabasePath, c => c.QueryAsync<string>(
            "SELECT event_id FROM deliveries WHERE rule_id = 'graceful' AND status = 'succeeded'"))).Select(e => "/hooks/" + e).ToHashSet();
        Assert.True(sentBeforeStop.Count < count, "the stop came too late to test anything");
        Assert.Equal(sentBeforeStop.Order(), succeeded.Order());

        await worker.StartAsync();
        await WaitForDistinctPathsAsync(count, TimeSpan.FromSeconds(60));
        await worker.StopAsync();
        var perPath = _receiver.Requests.GroupBy(r => r.Path).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(succeeded, path => Assert.Equal(1, perPath[path]));
    }

    [Fact]
    public async Task Worker_BrokerRestartsWhileDeliveriesWaitInDelayTiers_NothingLost()
    {
        const int count = 200;
        _receiver.RespondInSequence(ReceiverResponse.Status(503), ReceiverResponse.Ok());
        await using var worker = await WorkerHost.StartAsync(Broker.AmqpUri, Some.Rule("restart", _tenant, _receiver.UrlFor("hooks/{{ eventId }}"), schedule: ["3s", "3s", "3s"]));
        for (var i = 0; i < count; i++)
            await _amqp.PublishEventAsync(_tenant, $"evt-{i}");

        // Every first attempt failed: the commands now wait in the 3s tier.
        await WaitForDistinctPathsAsync(count, TimeSpan.FromSeconds(30));
        await _amqp.DisposeAsync();
        await Broker.StopAsync();
        await Broker.StartAgainAsync();
        _amqp = await RawAmqp.ConnectAsync(Broker);
        // New events after the restart are consumed too: the worker reconnected by itself.
        for (var i = count; i < count + 50; i++)
            await PublishWhenBoundAsync($"evt-{i}");

        await Some.WaitForScalarAsync(worker.DatabasePath, "SELECT COUNT(*) FROM deliveries WHERE rule_id = 'restart' AND status = 'succeeded'", null, count + 50, TimeSpan.FromSeconds(180));
        var answered = _receiver.Requests.Where(r => r.Attempt >= 2).Select(r => r.Path).ToHashSet();
        Assert.Equal(count + 50, answered.Count);
    }

    [Fact]
    public async Task Worker_KilledWithSigkillMidRunAndRestarted_EveryDeliveryArrives()
    {
        const int count = 2000;
        _receiver.RespondAlways(ReceiverResponse.Ok() with { Delay = TimeSpan.FromMilliseconds(50) });
        await using var worker = WorkerHost.Create(Broker.AmqpUri, Some.Rule("crash", _tenant, _receiver.UrlFor("hooks/{{ eventId }}")));
        using (var first = worker.StartProcess())
        {
            await WaitForReadyAsync(worker, first);
            var publishing = Task.Run(async () =>
            {
                for (var i = 0; i < count; i++)
                    await _amqp.PublishEventAsync(_tenant, $"evt-{i}");
            });
            await _receiver.WaitForCountAsync(300, TimeSpan.FromSeconds(60));
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
            Assert.True(_receiver.Requests.Select(r => r.Path).Distinct().Count() < count, "the kill came too late to test anything");
            await publishing;
        }

        using var second = worker.StartProcess();
        try
        {
            await WaitForDistinctPathsAsync(count, TimeSpan.FromSeconds(120));
        }
        finally
        {
            second.Kill(entireProcessTree: true);
            await second.WaitForExitAsync();
        }
        var expected = Enumerable.Range(0, count).Select(i => $"/hooks/evt-{i}");
        Assert.Empty(expected.Except(_receiver.Requests.Select(r => r.Path)));
    }

    private async Task PublishWhenBoundAsync(string eventId)
    {
        // Until the worker has redeclared its binding, a mandatory publish to astra.events is returned unroutable.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                await _amqp.PublishEventAsync(_tenant, eventId);
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    /// <summary>Waits for <paramref name="count"/> distinct event paths; the readiness probe's warm-up event is not one of them.</summary>
    private async Task WaitForDistinctPathsAsync(int count, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (DistinctEventPaths() < count)
        {
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"the receiver saw {DistinctEventPaths()} of {count} deliveries within {timeout.TotalSeconds}s");
            await Task.Delay(100);
        }
    }

    private int DistinctEventPaths() =>
        _receiver.Requests.Select(r => r.Path).Where(p => p != WarmupPath).Distinct().Count();

    /// <summary>The worker has migrated its database and imported the rules once the rule is in SQLite and its queues are bound.</summary>
    private async Task WaitForReadyAsync(WorkerHost worker, Process process)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Assert.False(process.HasExited, $"the worker exited with {(process.HasExited ? process.ExitCode : 0)}");
            try
            {
                if (File.Exists(worker.DatabasePath)
                    && await Some.QueryAsync(worker.DatabasePath, c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM rules")) > 0
                    && await Broker.QueueExistsAsync(Contracts.BusNames.SendQueue))
                {
                    await PublishWhenBoundAsync(WarmupEventId);
                    await _receiver.WaitForRequestAsync(r => r.Path == WarmupPath, TimeSpan.FromSeconds(30));
                    return;
                }
            }
            catch (Microsoft.Data.Sqlite.SqliteException)
            {
                // Not migrated yet.
            }
            if (clock.Elapsed > TimeSpan.FromSeconds(60))
                throw new TimeoutException("the worker process did not become ready within 60s");
            await Task.Delay(200);
        }
    }
}
