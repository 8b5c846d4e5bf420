
namespace Astra.Dispatch.Console.Hosting;

/// <summary>
/// RFC 9457 problem details (<c>application/problem+json</c>) for every error of the API: thrown exceptions (500, or a
/// bad request's own 400/413), and every empty error response (401, 403, 404, 405, 412, 415, 429…) under <c>/api</c>.
/// Each carries a <c>traceId</c>; none carries an exception's message or stack.
/// </summary>
internal static class ApiProblemDetails
{
    public static IServiceCollection AddApiProblemDetails(this IServiceCollection services) =>
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            c.ProblemDetails.Instance ??= c.HttpContext.Request.Path;
            c.ProblemDetails.Extensions.TryAdd("traceId", System.Diagnostics.Activity.Current?.Id ?? c.HttpContext.TraceIdentifier);
        });

    public static WebApplication UseApiProblemDetails(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
            // The console's pages will bring their own error page; this writes problem details.
            SuppressDiagnosticsCallback = c => c.Exception is BadHttpRequestException,
        });
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/api"), api => api.UseStatusCodePages());
        return app;
    }
}
