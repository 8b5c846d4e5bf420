using Astra.Dispatch.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Astra.Dispatch.Worker.Telemetry;

/// <summary>
/// OpenTelemetry for the worker: our <c>Astra.Dispatch</c> source and meter, MassTransit's meter, HttpClient, runtime
/// and process metrics; Prometheus text at <c>/metrics</c>, and OTLP when the standard <c>OTEL_EXPORTER_OTLP_*</c>
/// variables name a collector. MassTransit's and HttpClient's spans are built only when spans are exported.
/// </summary>
internal static class WorkerTelemetryExtensions
{
    public const string DefaultServiceName = "astra-dispatch-worker";
    public const string MassTransitSource = "MassTransit";
    public const string MetricsPath = "/metrics";

    /// <summary>Whether MassTransit's and HttpClient's spans are built; by default, when an OTLP endpoint is configured.</summary>
    public const string FrameworkSpansKey = "Dispatch:Tracing:FrameworkSpans";

    public static WebApplicationBuilder AddDispatchTelemetry(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        // Trace and span ids on every log line: a scope, which the console formatters print with
        // Logging:Console:FormatterOptions:IncludeScopes (appsettings.json); Logging:Console:FormatterName=json for JSON lines.
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        builder.Logging.AddOpenTelemetry(o =>
        {
            o.IncludeFormattedMessage = true;
            o.IncludeScopes = true;
        });

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(
                serviceName: configuration["OTEL_SERVICE_NAME"] ?? DefaultServiceName,
                serviceVersion: typeof(DispatchTelemetry).Assembly.GetName().Version?.ToString(),
                serviceInstanceId: Environment.MachineName))
            .WithTracing(t =>
            {
                // Our spans are always built: trace ids on log lines, and the caller's trace carried to the endpoint.
                t.AddSource(DispatchTelemetry.Name);
                // MassTransit's and HttpClient's (several more per delivery) serve only an exporter: without one they
                // are CPU spent for nothing (measured in docs/benchmark.md).
                if (configuration.GetValue<bool?>(FrameworkSpansKey) ?? OtlpConfigured(configuration))
                    t.AddSource(MassTransitSource).AddHttpClientInstrumentation(o => o.RecordException = false);
            })
            .WithMetrics(m => m
                .AddMeter(DispatchTelemetry.Name, MassTransitSource)
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddProcessInstrumentation()
                .AddPrometheusExporter());
        if (OtlpConfigured(configuration))
            otel.UseOtlpExporter();
        return builder;
    }

    public static WebApplication MapDispatchMetrics(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        return app;
    }

    /// <summary>OTLP is opt-in: without an endpoint the exporter would retry localhost:4317 forever.</summary>
    private static bool OtlpConfigured(ConfigurationManager configuration) =>
        OtlpEndpointKeys.Any(key => !string.IsNullOrWhiteSpace(configuration[key]));

    private static readonly string[] OtlpEndpointKeys =
        ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"];
}
