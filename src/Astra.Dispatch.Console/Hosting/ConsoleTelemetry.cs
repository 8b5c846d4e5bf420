using System.Diagnostics.Metrics;
using Astra.Dispatch.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Astra.Dispatch.Console.Hosting;

/// <summary>
/// OpenTelemetry for the console, as for the worker: API request metrics from ASP.NET Core's own meters
/// (<c>http.server.request.duration</c> by route template and status, Kestrel connections), our <c>Astra.Dispatch</c>
/// meter (failed authentications), runtime metrics; Prometheus text at <c>/metrics</c>; OTLP when configured.
/// </summary>
internal static class ConsoleTelemetry
{
    public const string DefaultServiceName = "astra-dispatch-console";

    private static readonly string[] OtlpEndpointKeys =
        ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"];

    public static WebApplicationBuilder AddConsoleTelemetry(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        builder.Services.AddSingleton<ConsoleMetrics>();
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(
                serviceName: configuration["OTEL_SERVICE_NAME"] ?? DefaultServiceName,
                serviceVersion: typeof(DispatchTelemetry).Assembly.GetName().Version?.ToString(),
                serviceInstanceId: Environment.MachineName))
            .WithTracing(t => t.AddSource(DispatchTelemetry.Name, "Microsoft.AspNetCore"))
            .WithMetrics(m => m
                .AddMeter(DispatchTelemetry.Name, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Authorization")
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter());
        if (OtlpEndpointKeys.Any(key => !string.IsNullOrWhiteSpace(configuration[key])))
            otel.UseOtlpExporter();
        return builder;
    }

    public static WebApplication MapConsoleMetrics(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }
}

/// <summary>The console's own instruments, on the one <c>Astra.Dispatch</c> meter.</summary>
internal sealed class ConsoleMetrics(IMeterFactory meters)
{
    private readonly Counter<long> _authFailures = meters.Create(DispatchTelemetry.Name)
        .CreateCounter<long>("astra.dispatch.api.auth_failures", "{request}", "API requests with a key that is malformed, unknown, wrong or revoked.");

    public void AuthenticationFailed() => _authFailures.Add(1);
}
