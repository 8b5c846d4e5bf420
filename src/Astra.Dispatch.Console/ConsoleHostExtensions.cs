using Astra.Dispatch.Console.Api;
using Astra.Dispatch.Console.Authentication;
using Astra.Dispatch.Console.Hosting;
using Astra.Dispatch.Console.Web;

namespace Astra.Dispatch.Console;

/// <summary>
/// The console host's wiring, in three steps so that the web console (Razor Pages or static SSR) is added beside the
/// API without touching it: <see cref="AddDispatchConsole"/> (services), <see cref="UseDispatchConsole"/> (middleware),
/// <see cref="MapDispatchConsole"/> (endpoints). The API authenticates with its own scheme on its own route group, and
/// problem details are written for <c>/api</c> only; the web console (<see cref="ConsoleWeb"/>) brings a cookie scheme and HTML error pages.
/// </summary>
internal static class ConsoleHostExtensions
{
    /// <summary>Everything the host runs, configured like the worker (appsettings.json, <c>Dispatch__*</c>, <c>OTEL_*</c>).</summary>
    public static WebApplicationBuilder AddDispatchConsole(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(ConsoleOptions.Section);
        builder.WebHost.UseUrls(section[nameof(ConsoleOptions.Urls)] ?? ConsoleOptions.DefaultUrls);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = section.GetValue<long?>(nameof(ConsoleOptions.MaxRequestBodyBytes)) ?? new ConsoleOptions().MaxRequestBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
        });
        builder.Services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.Section)
            .Validate(o => o.MaxRequestBodyBytes > 0 && o.FailedAuthLimit > 0 && o.FailedAuthWindow > TimeSpan.Zero,
                "Dispatch:Console limits (MaxRequestBodyBytes, FailedAuthLimit, FailedAuthWindow) must be positive")
            .ValidateOnStart();
        builder.Services.AddAstraDispatch().AddBusOperations("astra-dispatch-console");
        builder.Services.AddApiKeyAuthentication();
        builder.Services.AddConsoleWeb(builder.Configuration);
        builder.Services.AddApiProblemDetails();
        builder.Services.AddApiOpenApi();
        builder.Services.AddConsoleHealthChecks();
        builder.AddConsoleTelemetry();
        return builder;
    }

    /// <summary>The middleware, in order: errors, security headers (the pages' own after), routing, authentication, tenant scope, authorization.</summary>
    public static WebApplication UseDispatchConsole(this WebApplication app)
    {
        app.UseApiProblemDetails();
        app.UseSecurityHeaders();
        app.UseConsoleWeb();
        app.UseRouting();
        app.UseAuthentication();
        app.UseTenantScope();
        app.UseAuthorization();
        return app;
    }

    /// <summary>The endpoints: the web console at <c>/</c>, <c>/api/v1</c>, <c>/openapi/v1.json</c>, <c>/health/live</c>, <c>/health/ready</c>, <c>/metrics</c>.</summary>
    public static WebApplication MapDispatchConsole(this WebApplication app)
    {
        app.MapConsoleWeb();
        app.MapApiV1();
        app.MapApiOpenApi();
        app.MapConsoleHealth();
        app.MapConsoleMetrics();
        return app;
    }
}
