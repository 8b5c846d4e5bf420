using System.Text.Json;
using Astra.Dispatch.Testing;
using Astra.Dispatch.Worker;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
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

    private readonly string _folder = Directory.CreateTempSubdirectory("astra-ops-").FullName;
    private WebApplication _app = null!;

    internal ExportedSpans Spans { get; } = new();

    public RabbitMqBroker Broker { get; private set; } = null!;

    public HttpReceiver Receiver { get; private set; } = null!;

    /// <summary>The worker's health port: <c>/health/*</c> and <c>/metrics</c>.</summary>
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Broker = await SharedBroker.StartDedicatedAsync();
        Receiver = await HttpReceiver.StartAsync();
        var rulesPath = Path.Combine(_folder, "rules.yaml");
        await File.WriteAllTextAsync(rulesPath, Rule(TraceRule, TraceTenant, Receiver.UrlFor("/traced")) + Rule(MetricsRule, MetricsTenant, Receiver.UrlFor("/metered")));

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = _folder });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Dispatch:RabbitMq:Uri"] = Broker.AmqpUri.ToString(),
            ["Dispatch:Database"] = Path.Combine(_folder, "dispatch.db"),
            ["Dispatch:RulesPath"] = rulesPath,
            ["Dispatch:Http:AllowPlainHttp"] = "true",
            ["Dispatch:Http:AllowedNetworks:0"] = "127.0.0.0/8",
            ["Dispatch:Health:Urls"] = "http://127.0.0.1:0",
            ["Dispatch:Delivery:Schedule:0"] = "1s",
            ["Dispatch:Delivery:Schedule:1"] = "2s",
            ["Dispatch:Delivery:Jitter"] = "0",
        });
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Warning);
        builder.AddDispatchWorker();
        builder.Services.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(Spans));
        _app = builder.Build();
        _app.MapDispatchHealth();
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(10) };
    }

    public static string LeadEvent(string tenant) => JsonSerializer.Serialize(new
    {
        eventId = "evt_" + Guid.NewGuid().ToString("N"),
        type = "lead.captured",
        occurredAt = DateTimeOffset.UtcNow,
        tenantId = tenant,
        conversationId = "conv_123",
        data = new { name = "Ada Lovelace", email = "ada@example.com", score = 87 },
    });

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Receiver.DisposeAsync();
        await Broker.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private const string LeadBody = """{ "email": {{ data.email | json }} }""";

    private static string Rule(string id, string tenant, Uri url) => $$"""
        - id: {{id}}
          tenantId: {{tenant}}
          trigger:
            events: [lead.captured]
          request:
            method: POST
            url: "{{url}}"
            body: '{{LeadBody}}'

        """;
}
