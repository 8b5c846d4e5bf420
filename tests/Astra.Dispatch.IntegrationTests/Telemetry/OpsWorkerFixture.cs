using Astra.Dispatch.IntegrationTests.Support;
using Astra.Dispatch.Testing;
using Astra.Dispatch.Worker.Telemetry;
using OpenTelemetry.Trace;

namespace Astra.Dispatch.IntegrationTests.Telemetry;

/// <summary>
/// A dedicated broker (the readiness test stops it), one in-process worker exporting its spans in memory, and a
/// receiver. Each test has its own tenant and rule, all in the worker's rules file from the start.
/// </summary>
public sealed class OpsWorkerFixture : IAsyncLifetime
{
    public const string TraceTenant = "ops-trace";
    public const string TraceRule = "ops-trace-rule";
    public const string MetricsTenant = "ops-metrics";
    public const string MetricsRule = "ops-metrics-rule";

    private WorkerHost _worker = null!;

    internal ExportedSpans Spans { get; } = new();

    public RabbitMqBroker Broker { get; private set; } = null!;

    public HttpReceiver Receiver { get; private set; } = null!;

    /// <summary>The worker's health port: <c>/health/*</c> and <c>/metrics</c>.</summary>
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Broker = await SharedBroker.StartDedicatedAsync();
        Receiver = await HttpReceiver.StartAsync();
        _worker = await WorkerHost.StartAsync(Broker.AmqpUri,
            Rule(TraceRule, TraceTenant, Receiver.UrlFor("/traced")) + Rule(MetricsRule, MetricsTenant, Receiver.UrlFor("/metered")),
            // An exporter added in code, not by OTLP settings: ask for MassTransit's and HttpClient's spans explicitly.
            new Dictionary<string, string?> { [WorkerTelemetryExtensions.FrameworkSpansKey] = "true" },
            services: s => s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(Spans)));
        Http = new HttpClient { BaseAddress = _worker.HealthUri, Timeout = TimeSpan.FromSeconds(10) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await _worker.DisposeAsync();
        await Receiver.DisposeAsync();
        await Broker.DisposeAsync();
    }

    private static string Rule(string id, string tenant, Uri url) => RuleYaml.Post(id, tenant, url, body: """{ "email": {{ data.email | json }} }""");
}
