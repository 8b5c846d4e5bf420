using System.Diagnostics;
using System.Text.Json.Nodes;
using Astra.Dispatch.Testing;
using Astra.Dispatch.Testing.Postgres;
using RabbitMQ.Client;

namespace Astra.Dispatch.Benchmarks;

/// <summary>Runs the chosen scenarios, worker then baseline on the same broker, and prints one JSON line per scenario.</summary>
internal static class BenchmarkApp
{
    private static readonly string[] WorkerQueues = ["astra.dispatch.events", "astra.dispatch.send"];
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(30);
    private const int WarmUpDeliveries = 3_000;
    private const int WarmUpRounds = 2;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter log, CancellationToken cancellationToken)
    {
        BenchmarkOptions options;
        try
        {
            options = BenchmarkOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            await log.WriteLineAsync($"error: {ex.Message}");
            return 2;
        }
        var workerDll = options.WorkerDll ?? FindWorkerDll();
        RabbitMqBroker? ownBroker = null;
        if (options.Broker is null)
        {
            await log.WriteLineAsync("bench: starting a private RabbitMQ node");
            ownBroker = await RabbitMqBroker.StartAsync(cancellationToken);
        }
        var brokerUri = options.Broker ?? ownBroker!.AmqpUri;
        PostgresServer? postgres = null;
        try
        {
            if (options.Databases.Contains("postgres"))
            {
                // A private server as the tests start it (loopback, fsync and synchronous_commit off): like SQLite's
                // WAL with synchronous=NORMAL, commits do not wait for the disk.
                await log.WriteLineAsync("bench: starting a private PostgreSQL server");
                postgres = await PostgresServer.StartAsync(cancellationToken);
            }
            await using var receiver = await Receiver.StartAsync(cancellationToken);
            var factory = new ConnectionFactory { Uri = brokerUri, ClientProvidedName = "astra-bench" };
            var run = new Run(options, workerDll, brokerUri, factory, receiver, ownBroker is null ? null : BrokerCpu.FindOwnNode(ownBroker.AmqpPort), postgres, log);
            foreach (var name in options.Scenarios)
            {
                foreach (var database in options.Databases)
                {
                    var line = await run.ScenarioAsync(name, database, cancellationToken);
                    await output.WriteLineAsync(line.ToJsonString());
                    await output.FlushAsync(cancellationToken);
                }
            }
            return 0;
        }
        finally
        {
            if (postgres is not null)
                await postgres.DisposeAsync();
            if (ownBroker is not null)
                await ownBroker.DisposeAsync();
        }
    }

    /// <summary>The worker build output beside this benchmark's (same configuration).</summary>
    private static string FindWorkerDll()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Astra.Dispatch.sln")))
                return Path.Combine(dir.FullName, "src", "Astra.Dispatch.Worker", "bin", configuration, "net10.0", "Astra.Dispatch.Worker.dll");
        }
        throw new FileNotFoundException("Astra.Dispatch.sln not found above the benchmark; pass --worker-dll");
    }

    private sealed class Run(BenchmarkOptions options, string workerDll, Uri brokerUri, ConnectionFactory factory, Receiver receiver, BrokerCpu? broker,
        PostgresServer? postgres, TextWriter log)
    {
        private readonly string _runId = Guid.NewGuid().ToString("N")[..8];
        // By scenario and database: the baselines have no database, so one measurement serves every database's line.
        private readonly Dictionary<(string Scenario, string Database), (Measurement Worker, Measurement Baseline)> _results = [];
        private readonly Dictionary<string, (Measurement Baseline, Measurement? WithResults, Measurement? MassTransit)> _baselines = [];
        private string _database = "sqlite";
        private int _batch;

        // A connection per scenario: after a long scenario RabbitMQ.Client once reused a channel number the broker still
        // considered closing (CHANNEL_ERROR - expected 'channel.open'), which ended the whole run.
        private IConnection _connection = null!;

        public async Task<JsonObject> ScenarioAsync(string name, string database, CancellationToken cancellationToken)
        {
            _database = database;
            var scenario = name switch
            {
                "a" => new Scenario("a", options.Events),
                "b" => new Scenario("b", options.FanOutEvents, FanOut: 10),
                "c" => new Scenario("c", options.Events, Tenants: 100, OtherRules: 99),
                "d" => Paced(),
                "e" => new Scenario("e", options.BacklogEvents, Backlog: true),
                "f" => new Scenario("f", options.Events, Hang: true),
                "g" => new Scenario("g", (int)(options.ColdPerSecond * options.ColdDuration.TotalSeconds), PacedPerSecond: options.ColdPerSecond, Cold: true),
                _ => new Scenario("replicas", options.Events, Replicas: 2),
            };
            await log.WriteLineAsync($"bench: scenario {scenario.Name} on {database}: {scenario.Events} events, {scenario.Expected} deliveries expected");
            await using var connection = await factory.CreateConnectionAsync(cancellationToken);
            _connection = connection;
            var worker = await WorkerAsync(scenario, cancellationToken);
            await log.WriteLineAsync($"bench: {scenario.Name} worker on {database}: {worker.PerSecond:F0}/s");
            if (!_baselines.TryGetValue(scenario.Name, out var compared))
            {
                var baseline = options.WorkerOnly ? Measurement.None
                    : scenario.Replicas == 1 || !_baselines.TryGetValue("a", out var a) ? await ComparisonAsync(PipelineKind.Baseline, scenario, cancellationToken)
                    : a.Baseline;
                if (!options.WorkerOnly)
                    await log.WriteLineAsync($"bench: {scenario.Name} baseline: {baseline.PerSecond:F0}/s");
                // Where the worker's throughput is compared, also against a baseline that publishes the contract's result;
                // where throughput or latency is, against the same pipeline on MassTransit (what the framework itself costs).
                Measurement? withResults = null, massTransit = null;
                if (!options.WorkerOnly && scenario.Name is "a" or "b")
                {
                    withResults = await ComparisonAsync(PipelineKind.BaselineWithResults, scenario, cancellationToken);
                    await log.WriteLineAsync($"bench: {scenario.Name} baseline with results: {withResults.PerSecond:F0}/s");
                }
                if (!options.WorkerOnly && scenario.Name is "a" or "b" or "d" or "g")
                {
                    massTransit = await ComparisonAsync(PipelineKind.MassTransit, scenario, cancellationToken);
                    await log.WriteLineAsync($"bench: {scenario.Name} MassTransit pipeline: {massTransit.PerSecond:F0}/s, p50 {massTransit.P50Ms:F2} ms");
                }
                compared = (baseline, withResults, massTransit);
                _baselines[scenario.Name] = compared;
            }
            _results[(scenario.Name, database)] = (worker, compared.Baseline);
            return Line(scenario, worker, compared.Baseline, compared.WithResults, compared.MassTransit);
        }

        private Scenario Paced()
        {
            var rate = _results.TryGetValue(("a", _database), out var a) ? a.Worker.PerSecond / 2 : 250;
            return new Scenario("d", (int)(rate * options.PacedDuration.TotalSeconds), PacedPerSecond: rate);
        }

        private JsonObject Line(Scenario s, Measurement worker, Measurement baseline, Measurement? withResults, Measurement? massTransit)
        {
            // --worker-only measures no baseline: its fields are null, not zero.
            double? Measured(double value) => options.WorkerOnly ? null : value;
            var line = new JsonObject
            {
                ["scenario"] = s.Name,
                ["database"] = _database,
                ["events"] = s.Events,
                ["deliveries"] = worker.Deliveries,
                ["seconds"] = Math.Round(worker.Seconds, 2),
                ["deliveries_per_s"] = Math.Round(worker.PerSecond, 1),
                ["p50_ms"] = Math.Round(worker.P50Ms, 2),
                ["p99_ms"] = Math.Round(worker.P99Ms, 2),
                ["worker_rss_mb"] = Math.Round(worker.MaxRssMb ?? 0, 1),
                ["worker_cpu_ms_per_delivery"] = Rounded(worker.CpuMsPerDelivery),
                ["baseline_deliveries_per_s"] = Measured(Math.Round(baseline.PerSecond, 1)),
                ["ratio"] = baseline.PerSecond > 0 ? Math.Round(worker.PerSecond / baseline.PerSecond, 3) : null,
                ["baseline_p50_ms"] = Measured(Math.Round(baseline.P50Ms, 2)),
                ["baseline_p99_ms"] = Measured(Math.Round(baseline.P99Ms, 2)),
                ["broker_cpu_ms_per_delivery"] = Rounded(worker.BrokerCpuMsPerDelivery),
                ["baseline_broker_cpu_ms_per_delivery"] = Rounded(baseline.BrokerCpuMsPerDelivery),
                ["baseline_cpu_ms_per_delivery"] = Rounded(baseline.CpuMsPerDelivery),
                ["baseline_rss_mb"] = Measured(Math.Round(baseline.MaxRssMb ?? 0, 1)),
            };
            if (withResults is not null)
            {
                line["baseline_with_results_deliveries_per_s"] = Math.Round(withResults.PerSecond, 1);
                line["ratio_vs_baseline_with_results"] = withResults.PerSecond > 0 ? Math.Round(worker.PerSecond / withResults.PerSecond, 3) : null;
                line["baseline_with_results_broker_cpu_ms_per_delivery"] = Rounded(withResults.BrokerCpuMsPerDelivery);
                line["baseline_with_results_cpu_ms_per_delivery"] = Rounded(withResults.CpuMsPerDelivery);
            }
            if (massTransit is not null)
            {
                line["masstransit_deliveries_per_s"] = Math.Round(massTransit.PerSecond, 1);
                line["masstransit_cpu_ms_per_delivery"] = Rounded(massTransit.CpuMsPerDelivery);
                line["masstransit_rss_mb"] = Math.Round(massTransit.MaxRssMb ?? 0, 1);
                line["masstransit_broker_cpu_ms_per_delivery"] = Rounded(massTransit.BrokerCpuMsPerDelivery);
                if (withResults?.PerSecond > 0)
                    line["masstransit_vs_baseline_with_results"] = Math.Round(massTransit.PerSecond / withResults.PerSecond, 3);
                if (s.PacedPerSecond is null && massTransit.PerSecond > 0)
                    line["ratio_vs_masstransit"] = Math.Round(worker.PerSecond / massTransit.PerSecond, 3);
            }
            if (s.PacedPerSecond is { } rate)
            {
                line["paced_events_per_s"] = Math.Round(rate, 1);
                line["p50_ratio"] = baseline.P50Ms > 0 ? Math.Round(worker.P50Ms / baseline.P50Ms, 2) : null;
                line["p99_ratio"] = baseline.P99Ms > 0 ? Math.Round(worker.P99Ms / baseline.P99Ms, 2) : null;
                if (massTransit is not null)
                {
                    line["masstransit_p50_ms"] = Math.Round(massTransit.P50Ms, 2);
                    line["masstransit_p99_ms"] = Math.Round(massTransit.P99Ms, 2);
                    line["masstransit_p50_ratio"] = baseline.P50Ms > 0 ? Math.Round(massTransit.P50Ms / baseline.P50Ms, 2) : null;
                    line["masstransit_p99_ratio"] = baseline.P99Ms > 0 ? Math.Round(massTransit.P99Ms / baseline.P99Ms, 2) : null;
                }
            }
            if (s.Cold)
            {
                line["first_second_max_ms"] = Math.Round(worker.FirstSecondMaxMs, 2);
                line["baseline_first_second_max_ms"] = Measured(Math.Round(baseline.FirstSecondMaxMs, 2));
                if (massTransit is not null)
                    line["masstransit_first_second_max_ms"] = Math.Round(massTransit.FirstSecondMaxMs, 2);
            }
            if (s.Backlog)
                line["worker_rss_after_mb"] = Math.Round(worker.RssAfterMb ?? 0, 1);
            if (s.Name != "a" && _results.TryGetValue(("a", _database), out var a) && a.Worker.PerSecond > 0)
                line["vs_a"] = Math.Round(worker.PerSecond / a.Worker.PerSecond, 3);
            if (s.Replicas > 1)
            {
                line["replicas"] = s.Replicas;
                line["distinct_deliveries"] = worker.Distinct;
                line["duplicates"] = worker.Deliveries - worker.Distinct;
            }
            return line;
        }

        private async Task<Measurement> WorkerAsync(Scenario scenario, CancellationToken cancellationToken)
        {
            var workDir = Directory.CreateTempSubdirectory("astra-bench-").FullName;
            // A fresh database per scenario, shared by its replicas (as replicas on one PostgreSQL are run).
            await using var database = postgres is null || _database != "postgres" ? null : await postgres.CreateDatabaseAsync($"bench_{scenario.Name}", cancellationToken);
            try
            {
                var rules = Path.Combine(workDir, "rules.json");
                await File.WriteAllTextAsync(rules, scenario.RulesJson(receiver.OkBase, receiver.HangBase), cancellationToken);
                await ResetWorkerQueuesAsync(cancellationToken);
                await using var publisher = new EventPublisher(_connection, "astra.events", $"{_runId}{++_batch}");
                await publisher.InitializeAsync(cancellationToken);
                if (scenario.Backlog)
                {
                    // The worker declares and binds its queue: start it once, stop it, then queue the backlog.
                    await (await StartWorkerAsync(workDir, 0, rules, database, cancellationToken)).DisposeAsync();
                    await publisher.PublishAsync(scenario.Events, scenario.Tenants, cancellationToken);
                    await log.WriteLineAsync($"bench: {scenario.Events} events queued");
                }

                // A backlog starts draining as soon as the worker connects: record from before its start.
                var recording = receiver.Reset(scenario.Expected);
                var workers = new List<WorkerProcess>();
                try
                {
                    for (var r = 0; r < scenario.Replicas; r++)
                        workers.Add(await StartWorkerAsync(workDir, r, rules, database, cancellationToken));
                    if (!scenario.Backlog && !scenario.Cold)
                    {
                        await WarmUpAsync(scenario, "astra.events", cancellationToken);
                        recording = receiver.Reset(scenario.Expected);
                    }
                    var cpuBefore = TotalCpu(workers);
                    var brokerBefore = broker?.Used;
                    var start = Stopwatch.GetTimestamp();
                    if (!scenario.Backlog)
                        await PublishAsync(publisher, scenario, cancellationToken);
                    if (!await recording.WaitAsync(Idle, cancellationToken))
                        await log.WriteLineAsync($"bench: {scenario.Name} worker: only {recording.Count} of {scenario.Expected} deliveries arrived");
                    var cpu = TotalCpu(workers) - cpuBefore;
                    var brokerCpu = broker?.Used - brokerBefore;
                    var after = (double?)null;
                    if (scenario.Backlog)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
                        after = workers[0].Monitor.CurrentRssMb;
                        start = FirstArrival(recording, start);
                    }
                    return Measurement.From(recording, start, brokerCpu, workers.Max(w => w.Monitor.MaxRssMb), after, cpu);
                }
                finally
                {
                    foreach (var w in workers)
                        await w.DisposeAsync();
                }
            }
            finally
            {
                TryDelete(workDir);
            }
        }

        private async Task<WorkerProcess> StartWorkerAsync(string workDir, int replica, string rules, PostgresDatabase? database, CancellationToken cancellationToken)
        {
            // Replicas share the rules file; on SQLite each has its own file, as separate hosts would, on PostgreSQL they
            // share the scenario's database.
            var dir = Directory.CreateDirectory(Path.Combine(workDir, $"replica{replica}")).FullName;
            var settings = new Dictionary<string, string>(options.WorkerSettings);
            if (database is not null)
                settings["Dispatch:Database"] = database.Url;
            return await WorkerProcess.StartAsync(workerDll, brokerUri, dir, rules, settings, log, cancellationToken);
        }

        private async Task<Measurement> ComparisonAsync(PipelineKind kind, Scenario scenario, CancellationToken cancellationToken)
        {
            await using var pipeline = await PipelineProcess.StartAsync(kind, workerDll, brokerUri, scenario, receiver.OkBase, receiver.HangBase, log, cancellationToken);
            await using var publisher = new EventPublisher(_connection, pipeline.Exchange, $"{_runId}{++_batch}");
            await publisher.InitializeAsync(cancellationToken);
            if (scenario.Backlog)
                await publisher.PublishAsync(scenario.Events, scenario.Tenants, cancellationToken);
            if (!scenario.Backlog)
            {
                await pipeline.StartConsumingAsync(cancellationToken);
                if (!scenario.Cold)
                    await WarmUpAsync(scenario, pipeline.Exchange, cancellationToken);
            }
            var recording = receiver.Reset(scenario.Expected);
            var brokerBefore = broker?.Used;
            var cpuBefore = pipeline.Monitor.CpuTime;
            var start = Stopwatch.GetTimestamp();
            if (scenario.Backlog)
                await pipeline.StartConsumingAsync(cancellationToken);
            if (!scenario.Backlog)
                await PublishAsync(publisher, scenario, cancellationToken);
            if (!await recording.WaitAsync(Idle, cancellationToken))
                await log.WriteLineAsync($"bench: {scenario.Name} {kind} pipeline: only {recording.Count} of {scenario.Expected} deliveries arrived");
            var cpu = pipeline.Monitor.CpuTime - cpuBefore;
            if (scenario.Backlog)
                start = FirstArrival(recording, start);
            return Measurement.From(recording, start, broker?.Used - brokerBefore, pipeline.Monitor.MaxRssMb, cpu: cpu);
        }

        /// <summary>
        /// Events through the whole path in two rounds, each followed by a second's pause, so no side is measured while
        /// the runtime is still compiling its hot paths. Tiered compilation starts counting a method's calls only once no
        /// new code has been compiled for 100 ms, and optimizes it after 30 more calls: the first round's methods start
        /// counting in its pause and are optimized during the second round. With a single round (even of 3,000
        /// deliveries), the JIT took a fifth of the worker's CPU in the first five seconds of the measured run.
        /// </summary>
        private async Task WarmUpAsync(Scenario scenario, string exchange, CancellationToken cancellationToken)
        {
            for (var round = 0; round < WarmUpRounds; round++)
            {
                var events = options.Quick ? 100 : Math.Max(100, WarmUpDeliveries / WarmUpRounds / scenario.FanOut);
                var recording = receiver.Reset(events * scenario.FanOut);
                await using var publisher = new EventPublisher(_connection, exchange, $"{_runId}w{++_batch}");
                await publisher.InitializeAsync(cancellationToken);
                await publisher.PublishAsync(events, scenario.Tenants, cancellationToken);
                if (!await recording.WaitAsync(Idle, cancellationToken))
                    await log.WriteLineAsync($"bench: {scenario.Name} warm-up: only {recording.Count} deliveries arrived");
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }

        private static Task PublishAsync(EventPublisher publisher, Scenario scenario, CancellationToken cancellationToken) =>
            scenario.PacedPerSecond is { } rate
                ? publisher.PublishPacedAsync(scenario.Events, rate, scenario.Tenants, cancellationToken)
                : publisher.PublishAsync(scenario.Events, scenario.Tenants, cancellationToken);

        private static double? Rounded(double? ms) => ms is { } value ? Math.Round(value, 3) : null;

        private static TimeSpan TotalCpu(List<WorkerProcess> workers) => workers.Aggregate(TimeSpan.Zero, (sum, w) => sum + w.Monitor.CpuTime);

        private static long FirstArrival(Recording recording, long fallback) => recording.FirstArrival is > 0 and var first ? first : fallback;

        private async Task ResetWorkerQueuesAsync(CancellationToken cancellationToken)
        {
            await using var channel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken);
            foreach (var queue in WorkerQueues)
                await channel.QueueDeleteAsync(queue, cancellationToken: cancellationToken);
        }

        private static void TryDelete(string dir)
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
