using Astra.Dispatch.Worker.Health;
using Astra.Dispatch.Worker.Telemetry;

namespace Astra.Dispatch.Worker;

/// <summary>The worker host's wiring.</summary>
internal static class WorkerHostExtensions
{
    /// <summary>Everything the worker runs, configured from appsettings.json, <c>Dispatch__*</c> variables and <c>OTEL_*</c>.</summary>
    public static WebApplicationBuilder AddDispatchWorker(this WebApplicationBuilder builder)
    {
        builder.WebHost.UseUrls(builder.Configuration["Dispatch:Health:Urls"] ?? "http://127.0.0.1:8080");
        builder.Services.AddAstraDispatch().AddWorker().AddBus();
        builder.Services.AddDispatchHealthChecks();
        builder.AddDispatchTelemetry();
        return builder;
    }

    /// <summary>The operations endpoints on <c>Dispatch:Health:Urls</c>: <c>/health/live</c>, <c>/health/ready</c>, <c>/metrics</c>.</summary>
    public static WebApplication MapDispatchHealth(this WebApplication app)
    {
        app.MapDispatchHealthEndpoints();
        app.MapDispatchMetrics();
        return app;
    }
}
