using Astra.Dispatch.Console.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;

namespace Astra.Dispatch.Console.Hosting;

/// <summary>
/// The OpenAPI 3.1 document at <c>/openapi/v1.json</c>: every <c>/api/v1</c> route with its parameters, bodies and
/// problem answers, and the bearer scheme each needs. The document itself needs no key: it describes routes and shapes,
/// no data, and an integrator reads it before having a key (the contract's 401 is for the API under <c>/api/v1</c>).
/// </summary>
internal static class ApiOpenApi
{
    public const string SchemeId = "apiKey";

    public static IServiceCollection AddApiOpenApi(this IServiceCollection services) => services.AddOpenApi("v1", options =>
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Astra.Dispatch management API",
                Version = "v1",
                Description = "Rules, deliveries, dead letters, status and the audit log of Astra.Dispatch. Send `Authorization: Bearer astra_…` "
                    + "(a key from `astra-dispatch keys create`). Errors are RFC 9457 problem details (`application/problem+json`); "
                    + "422 lists every error in `errors` as `{ field, message }`. A tenant key gets 404 on every other tenant's path.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[SchemeId] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "astra_<16-character id>_<52-character secret>",
                Description = "An API key of role viewer (reads), operator (also changes rules, redrives, reads dead letters) or admin (also keys).",
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer(async (operation, context, cancellationToken) =>
        {
            if (context.Description.ActionDescriptor.EndpointMetadata.OfType<ApiBodyMetadata>().FirstOrDefault() is { } body)
            {
                var schema = await context.GetOrCreateSchemaAsync(body.Type, null, cancellationToken);
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Content = body.ContentTypes.ToDictionary(type => type, _ => new OpenApiMediaType { Schema = schema }),
                };
            }
            var policies = context.Description.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>().Select(a => a.Policy).OfType<string>().ToList();
            if (policies.Count == 0)
                return;
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeId, context.Document)] = [] });
            var role = policies.Contains(ApiKeyAuthenticationExtensions.Admin) ? "admin"
                : policies.Contains(ApiKeyAuthenticationExtensions.Operator) ? "operator" : "viewer";
            operation.Description = $"Role: {role} or above.{(operation.Description is { Length: > 0 } d ? " " + d : "")}";
        });
    });

    public static WebApplication MapApiOpenApi(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        return app;
    }
}

/// <summary>
/// The body an endpoint reads itself, for the document only. Not <c>Accepts(…)</c>: routing would then answer a wrong
/// content type with 415 before authentication and the tenant scope ran (a 415 instead of a 401, or of a tenant's 404).
/// </summary>
internal sealed record ApiBodyMetadata(Type Type, string[] ContentTypes);

internal static class ApiBodyExtensions
{
    public static RouteHandlerBuilder AcceptsBody<T>(this RouteHandlerBuilder builder, params string[] contentTypes) =>
        builder.WithMetadata(new ApiBodyMetadata(typeof(T), contentTypes));
}
