using Astra.Dispatch.Console.Authentication;

namespace Astra.Dispatch.Console.Api;

/// <summary>
/// <c>/api/v1</c>: one route group per resource (eShop's shape). Every route needs an API key (at least viewer; writes
/// at least operator; keys admin); tenant routes answer 404 to another tenant's key; errors are problem details.
/// </summary>
internal static class ApiV1
{
    public static WebApplication MapApiV1(this WebApplication app)
    {
        var api = app.MapGroup("/api/v1")
            .RequireAuthorization(ApiKeyAuthenticationExtensions.Viewer)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status500InternalServerError);
        var tenant = api.MapGroup("/tenants/{tenant}").ProducesProblem(StatusCodes.Status404NotFound);
        RulesApi.Map(tenant.MapGroup("/rules").WithTags("Rules"));
        DeliveriesApi.Map(tenant.MapGroup("/deliveries").WithTags("Deliveries"));
        DeadLettersApi.Map(api.MapGroup("/dead-letters").WithTags("Dead letters")
            .RequireAuthorization(ApiKeyAuthenticationExtensions.Operator).ProducesProblem(StatusCodes.Status403Forbidden));
        StatusApi.Map(api.MapGroup("/status").WithTags("Status"));
        AuditApi.Map(api.MapGroup("/audit").WithTags("Audit"));
        KeysApi.Map(api.MapGroup("/keys").WithTags("Keys")
            .RequireAuthorization(ApiKeyAuthenticationExtensions.Admin).ProducesProblem(StatusCodes.Status403Forbidden));
        return app;
    }

    /// <summary>Declares the 422 answer with its <c>errors</c> array.</summary>
    public static RouteHandlerBuilder ProducesInvalid(this RouteHandlerBuilder builder) =>
        builder.Produces<ValidationProblemResponse>(StatusCodes.Status422UnprocessableEntity, ApiResults.ProblemJson);
}
