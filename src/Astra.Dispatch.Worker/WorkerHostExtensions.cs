using Astra.Dispatch.Bus;
using Astra.Dispatch.Delivery;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Worker;

public static class WorkerHostExtensions
{
    /// <summary>Everything the worker runs, configured from appsettings.json, <c>Dispatch__*</c> variables and <c>OTEL_*</c>.</summary>
    public static WebApplicationBuilder AddDispatchWorker(this WebApplicationBuilder builder)
    {
        builder.WebHost.UseUrls(builder.Configuration["Dispatch:Health:Urls"] ?? "http://127.0.0.1:8080");
        builder.Services.AddDispatchCore().AddDispatchWorkerServices().AddDispatchBus();
        builder.Services.AddHealthChecks();
        // The host must outwait the bus's graceful stop (ShutdownGrace + margin), then the delivery log flush.
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<RetryOptions>>((o, retry) =>
        {
            var needed = retry.Value.ShutdownGrace + DispatchBusServiceCollectionExtensions.StopMargin * 2;
            if (o.ShutdownTimeout < needed)
                o.ShutdownTimeout = needed;
        });
        return builder;
    }

    public static WebApplication MapDispatchHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live");
        app.MapHealthChecks("/health/ready");
        return app;
    }
}
