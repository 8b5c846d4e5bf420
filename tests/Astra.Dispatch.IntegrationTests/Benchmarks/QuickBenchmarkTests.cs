using System.Text.Json;
using Astra.Dispatch.Benchmarks;

namespace Astra.Dispatch.IntegrationTests.Benchmarks;

/// <summary>The benchmark's <c>--quick</c> run of scenario (a) works end to end; speed is not asserted here.</summary>
public sealed class QuickBenchmarkTests
{
    [Fact]
    public async Task RunAsync_QuickScenarioA_PrintsOneLineWithEveryEventDelivered()
    {
        using var output = new StringWriter();
        using var log = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));

        // No --broker: the benchmark starts its own node, so its worker cannot compete with other tests' workers.
        var exit = await BenchmarkApp.RunAsync(["--quick", "--scenario", "a"], output, log, timeout.Token);

        Assert.True(exit == 0, log.ToString());
        // Every side (worker, baselines, MassTransit pipeline) delivered every event: the harness logs a shortfall.
        Assert.DoesNotContain("deliveries arrived", log.ToString());
        var line = Assert.Single(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        Assert.Equal("a", root.GetProperty("scenario").GetString());
        Assert.Equal(root.GetProperty("events").GetInt32(), root.GetProperty("deliveries").GetInt32());
        Assert.True(root.GetProperty("deliveries_per_s").GetDouble() > 0);
        Assert.True(root.GetProperty("baseline_deliveries_per_s").GetDouble() > 0);
        Assert.True(root.GetProperty("baseline_with_results_deliveries_per_s").GetDouble() > 0);
        Assert.True(root.GetProperty("masstransit_deliveries_per_s").GetDouble() > 0);
        // Each comparison pipeline ran in a process of its own, whose CPU and RSS were measured.
        foreach (var field in new[] { "baseline_cpu_ms_per_delivery", "baseline_with_results_cpu_ms_per_delivery", "masstransit_cpu_ms_per_delivery",
            "baseline_rss_mb", "masstransit_rss_mb" })
        {
            Assert.True(root.GetProperty(field).GetDouble() > 0, field);
        }
    }

    [Fact]
    public async Task RunAsync_WorkerOnly_ReportsTheWorkerAndNoBaselineFigures()
    {
        using var output = new StringWriter();
        using var log = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));

        var exit = await BenchmarkApp.RunAsync(["--quick", "--scenario", "a", "--worker-only"], output, log, timeout.Token);

        Assert.True(exit == 0, log.ToString());
        using var json = JsonDocument.Parse(Assert.Single(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        var root = json.RootElement;
        Assert.Equal(root.GetProperty("events").GetInt32(), root.GetProperty("deliveries").GetInt32());
        Assert.True(root.GetProperty("worker_cpu_ms_per_delivery").GetDouble() > 0);
        // Not measured is null, not a baseline that delivered nothing.
        foreach (var field in new[] { "baseline_deliveries_per_s", "ratio", "baseline_p50_ms", "baseline_p99_ms", "baseline_rss_mb" })
            Assert.Equal(JsonValueKind.Null, root.GetProperty(field).ValueKind);
        Assert.DoesNotContain("baseline:", log.ToString());
    }

    [Fact]
    public async Task RunAsync_WorkerOnlyOnBothDatabases_OneLineEachWithEveryEventDelivered()
    {
        using var output = new StringWriter();
        using var log = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));

        var exit = await BenchmarkApp.RunAsync(["--quick", "--scenario", "a", "--worker-only", "--database", "sqlite,postgres"], output, log, timeout.Token);

        Assert.True(exit == 0, log.ToString());
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["sqlite", "postgres"], lines.Select(l => l.GetProperty("database").GetString()));
        Assert.All(lines, l => Assert.Equal(l.GetProperty("events").GetInt32(), l.GetProperty("deliveries").GetInt32()));
    }
}
