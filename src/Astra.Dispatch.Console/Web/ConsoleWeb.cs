using Astra.Dispatch.Console.Authentication;
using Microsoft.AspNetCore.Mvc.ApplicationParts;

namespace Astra.Dispatch.Console.Web;

/// <summary>
/// The web console at <c>/</c>: server-rendered Razor Pages on the API's own services, signed in with a cookie
/// (<see cref="ConsoleAuthentication"/>). Every page needs a session except <c>/signin</c> and the error page; pages get a
/// CSP of their own (scripts and styles from this origin only), are never cached, and errors are HTML pages.
/// </summary>
internal static class ConsoleWeb
{
    /// <summary>The pages' Content-Security-Policy: nothing inline, nothing from elsewhere, forms post here only.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static IServiceCollection AddConsoleWeb(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddConsoleAuthentication(configuration);
        services.AddSingleton<ConsoleAssets>();
        services.AddRazorPages(o =>
            {
                // Hangfire's lesson: every page needs a session unless it is listed here.
                o.Conventions.AuthorizeFolder("/", ConsoleAuthentication.Viewer);
                o.Conventions.AllowAnonymousToPage("/SignIn");
                o.Conventions.AllowAnonymousToPage("/Error");
                o.Conventions.AuthorizePage("/DeadLetters", ConsoleAuthentication.Operator);
            })
            // The pages are compiled into this assembly; a host whose application name is another (a test host) finds them too.
            .ConfigureApplicationPartManager(manager =>
            {
                var assembly = typeof(ConsoleWeb).Assembly;
                foreach (var part in ApplicationPartFactory.GetApplicationPartFactory(assembly).GetApplicationParts(assembly))
                {
                    if (!manager.ApplicationParts.Any(p => p.GetType() == part.GetType() && p.Name == part.Name))
                        manager.ApplicationParts.Add(part);
                }
            });
        return services;
    }

    /// <summary>Before routing: HTML error pages for everything outside <c>/api</c>, and the pages' headers.</summary>
    public static WebApplication UseConsoleWeb(this WebApplication app)
    {
        app.UseWhen(c => !IsApi(c.Request.Path), web =>
        {
            // A page that throws gets the HTML error page (500, nothing of the exception); the API keeps its problem details.
            web.UseExceptionHandler("/error");
            web.UseStatusCodePagesWithReExecute("/error", "?code={0}");
        });
        app.Use((context, next) =>
        {
            if (!IsApi(context.Request.Path))
            {
                context.Response.OnStarting(() =>
                {
                    // Registered after SecurityHeaders, so this runs first and that keeps it.
                    var headers = context.Response.Headers;
                    headers.ContentSecurityPolicy = ContentSecurityPolicy;
                    if (!context.Request.Path.StartsWithSegments(ConsoleAssets.PathPrefix))
                        headers.CacheControl = "no-store";
                    return Task.CompletedTask;
                });
            }
            return next(context);
        });
        return app;
    }

    public static WebApplication MapConsoleWeb(this WebApplication app)
    {
        app.MapRazorPages();
        app.Services.GetRequiredService<ConsoleAssets>().Map(app);
        return app;
    }

    private static bool IsApi(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/openapi") || path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics");
}
