using System.Diagnostics;
using Astra.Dispatch.IntegrationTests.Durability;
using Astra.Dispatch.IntegrationTests.Support;
using Astra.Dispatch.Testing;
using Astra.Dispatch.Testing.Postgres;
using Npgsql;
using Xunit.Abstractions;

namespace Astra.Dispatch.IntegrationTests.Replicas;

/// <summary>Worker processes on one PostgreSQL: killed mid-flight, and started (migrating) at the same moment.</summary>
public sealed class CrashAndMigrationTests(ITestOutputHelper output)
{
    /// <summary>The killed worker's send concurrency: at most this many of its deliveries were in flight when it died.</summary>
    private const int SendConcurrency = 16;

    [Fact]
    public async Task OneOfTwoWorkersKilledMidFlight_EveryDeliveryArrives_AtMostTheInFlightOnesTwice()
    {
        const int count = 600;
        var tenant = Some.Tenant();
        var vhost = await (await SharedBroker.GetAsync()).CreateVirtualHostAsync(tenant);
        await using var database = await SharedPostgres.CreateDatabaseAsync();
        await using var receiver = await HttpReceiver.StartAsync();
        receiver.RespondAlways(ReceiverResponse.Ok() with { Delay = TimeSpan.FromMilliseconds(300) });
        var settings = new Dictionary<string, string?>
        {
            ["Dispatch:Database"] = database.Url,
            ["Dispatch:RabbitMq:SendConcurrency"] = SendConcurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Dispatch:RabbitMq:SendPrefetch"] = SendConcurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        // A short rule timeout: a dead worker's claims run out 30 s after it (the lease is the timeout plus 30 s).
        var rule = Some.Rule("crash", tenant, receiver.UrlFor("hooks/{{ eventId }}"), timeout: "2s");
        await using var a = WorkerHost.Create(vhost, rule, settings);
        await using var b = WorkerHost.Create(vhost, rule, new Dictionary<string, string?>(settings) { ["Dispatch:RulesPath"] = a.RulesPath });
        await using var amqp = await RawAmqp.ConnectAsync(vhost);
        using var survivor = b.StartProcess();
        var clock = Stopwatch.StartNew();
        try
        {
            using (var victim = a.StartProcess())
            {
                await WaitForConsumersAsync(vhost, 2);
                var publishing = Task.Run(async () =>
                {
                    for (var i = 0; i < count; i++)
                        await amqp.PublishEventAsync(tenant, $"evt-{i}");
                });
                await receiver.WaitForCountAsync(150, TimeSpan.FromSeconds(60));
                victim.Kill(entireProcessTree: true);
                await victim.WaitForExitAsync();
                await publishing;
            }
            var atKill = receiver.Requests.Select(r => r.Path).Distinct().Count();
            Assert.True(atKill < count, "the kill came too late to test anything");
            await WaitForDistinctAsync(receiver, count, TimeSpan.FromSeconds(150));
            // The dead worker's unacknowledged commands came back to the survivor, which defers them until the dead
            // worker's claims run out; then those whose call went out but whose outcome was never recorded go again.
            await WaitForSucceededAsync(database, count, TimeSpan.FromSeconds(150));

            var twice = receiver.Requests.GroupBy(r => r.Path).Count(g => g.Count() > 1);
            output.WriteLine($"killed after {atKill} distinct deliveries; all {count} arrived after {clock.Elapsed.TotalSeconds:F0} s; {twice} sent twice (bound: {SendConcurrency})");
            Assert.InRange(twice, 0, SendConcurrency);
        }
        finally
        {
            survivor.Kill(entireProcessTree: true);
            await survivor.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task TwoWorkerProcesses_TwoThousandEvents_EachDeliveredOnceAndTheCliProcessListsAll()
    {
        const int count = 2000;
        var tenant = Some.Tenant();
        var vhost = await (await SharedBroker.GetAsync()).CreateVirtualHostAsync(tenant);
        await using var database = await SharedPostgres.CreateDatabaseAsync();
        await using var receiver = await HttpReceiver.StartAsync();
        var settings = new Dictionary<string, string?> { ["Dispatch:Database"] = database.Url };
        var rule = Some.Rule("fleet", tenant, receiver.UrlFor("hooks/{{ eventId }}"));
        await using var a = WorkerHost.Create(vhost, rule, settings);
        await using var b = WorkerHost.Create(vhost, rule, new Dictionary<string, string?>(settings) { ["Dispatch:RulesPath"] = a.RulesPath });
        await using var amqp = await RawAmqp.ConnectAsync(vhost);
        using var first = a.StartProcess();
        using var second = b.StartProcess();
        try
        {
            await WaitForConsumersAsync(vhost, 2);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
                await amqp.PublishEventAsync(tenant, $"evt-{i}");
            await WaitForDistinctAsync(receiver, count, TimeSpan.FromSeconds(120));
            var delivered = clock.Elapsed;
            await WaitForSucceededAsync(database, count, TimeSpan.FromSeconds(60));
            await Task.Delay(TimeSpan.FromSeconds(2));
            var list = await RunCliAsync(Path.Combine(AppContext.BaseDirectory, "Astra.Dispatch.Cli.dll"), database.Url,
                "deliveries", "list", "--tenant", tenant, "--limit", "100000", "--json");

            var perDelivery = receiver.Requests.GroupBy(r => r.Header(Contracts.RequestHeaders.WebhookId)).ToDictionary(g => g.Key!, g => g.Count());
            var listed = System.Text.Json.JsonDocument.Parse(list.Output).RootElement.EnumerateArray()
                .Select(d => (Id: d.GetProperty("id").GetString()!, Status: d.GetProperty("status").GetString())).ToList();
            output.WriteLine($"{count} events through two worker processes in {delivered.TotalSeconds:F1} s: {perDelivery.Count} distinct deliveries, "
                + $"{perDelivery.Count(p => p.Value > 1)} sent more than once; the CLI process listed {listed.Count}, {listed.Count(d => d.Status == "succeeded")} succeeded");
            Assert.Equal(count, perDelivery.Count);
            Assert.All(perDelivery.Values, n => Assert.Equal(1, n));
            Assert.Equal(perDelivery.Keys.Order(), listed.Select(d => d.Id).Order());
            Assert.All(listed, d => Assert.Equal("succeeded", d.Status));
        }
        finally
        {
            first.Kill(entireProcessTree: true);
            second.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
            await second.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task TwoProcessesStartingOnAnEmptyDatabase_MigrateOnceBetweenThem()
    {
        await using var database = await SharedPostgres.CreateDatabaseAsync();
        var cli = Path.Combine(AppContext.BaseDirectory, "Astra.Dispatch.Cli.dll");
        Assert.True(File.Exists(cli), cli);

        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => RunCliAsync(cli, database.Url, "rules", "list", "--json")));

        Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.Output));
        await using var connection = await database.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT COUNT(*), COUNT(DISTINCT version), MAX(version) FROM schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(reader.GetInt64(0), reader.GetInt64(1));
        Assert.Equal(10, reader.GetInt32(2));
    }

    private static async Task<(int ExitCode, string Output)> RunCliAsync(string cli, string databaseUrl, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(cli);
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        info.Environment["Dispatch__Database"] = databaseUrl;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        var (text, errors) = (await stdout, await stderr);
        return (process.ExitCode, process.ExitCode == 0 ? text : text + errors);
    }

    private static async Task WaitForConsumersAsync(Uri vhost, int consumers)
    {
        var clock = Stopwatch.StartNew();
        await using var amqp = await RawAmqp.ConnectAsync(vhost);
        while (true)
        {
            try
            {
                await using var channel = await amqp.Connection.CreateChannelAsync();
                if ((await channel.QueueDeclarePassiveAsync(Contracts.BusNames.SendQueue)).ConsumerCount >= consumers
                    && (await channel.QueueDeclarePassiveAsync(Contracts.BusNames.EventsQueue)).ConsumerCount >= consumers)
                    return;
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                // Not declared yet.
            }
            if (clock.Elapsed > TimeSpan.FromSeconds(90))
                throw new TimeoutException($"{consumers} workers did not start consuming within 90 s");
            await Task.Delay(200);
        }
    }

    private static async Task WaitForSucceededAsync(PostgresDatabase database, int count, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        await using var connection = await database.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM deliveries WHERE status = 'succeeded'", connection);
        long succeeded;
        while ((succeeded = (long)(await command.ExecuteScalarAsync())!) < count)
        {
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"{succeeded} of {count} deliveries succeeded in the log within {timeout.TotalSeconds}s");
            await Task.Delay(500);
        }
    }

    private static async Task WaitForDistinctAsync(HttpReceiver receiver, int count, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (receiver.Requests.Select(r => r.Path).Distinct().Count() < count)
        {
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"the receiver saw {receiver.Requests.Select(r => r.Path).Distinct().Count()} of {count} deliveries within {timeout.TotalSeconds}s");
            await Task.Delay(200);
        }
    }
}
