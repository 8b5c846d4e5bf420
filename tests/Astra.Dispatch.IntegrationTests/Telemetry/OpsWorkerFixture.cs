using Astra.Dispatch.IntegrationTests.Support;
using Astra.Dispatch.Testing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using OpenTelemetry.Trace;

namespace Astra.Dispatch.IntegrationTests.Telemetry;

/// <summary>
/// A dedicated broker (the readiness test stops it), one worker exporting its spans in memory, and a receiver.
/// Each test has its own tenant and rule, all declared up front in the worker's rules file.
/// </summary>
public sealed class OpsWorkerFixture : IAsyncLifetime
{
    public const string TraceTenant = "ops-trace";
    public const string MetricsTenant = "ops-metrics";
    public const string MetricsRule = "ops-metrics-rule";

    internal ExportedSpans Spans { get; } = new();

    public RabbitMqBroker Broker { get; private set; } = null!;

    public HttpReceiver Receiver { get; private set; } = null!;

    internal WorkerHost Worker { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Broker = await SharedBroker.StartDedicatedAsync();
        Receiver = await HttpReceiver.StartAsync();
        var rules = Support.Rules.Post("ops-trace-rule", TraceTenant, Receiver.UrlFor("/traced"))
            + Support.Rules.Post(MetricsRule, MetricsTenant, Receiver.UrlFor("/metered"));
        Worker = await WorkerHost.StartAsync(Broker.AmqpUri, rules,
            services: s => s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(Spans)));
        var address = Worker.Get<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(10) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Worker.DisposeAsync();
        await Receiver.DisposeAsync();
        await Broker.DisposeAsync();
    }
}
