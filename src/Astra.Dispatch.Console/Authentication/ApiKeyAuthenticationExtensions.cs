using Astra.Dispatch.Management;
using Microsoft.AspNetCore.Authentication;

namespace Astra.Dispatch.Console.Authentication;

/// <summary>The API's authentication (API keys), its role policies and the tenant scope of its routes.</summary>
internal static class ApiKeyAuthenticationExtensions
{
    /// <summary>Policy names: a key of at least that role.</summary>
    public const string Viewer = "viewer";
    public const string Operator = "operator";
    public const string Admin = "admin";

    public static IServiceCollection AddApiKeyAuthentication(this IServiceCollection services)
    {
        services.AddSingleton<FailedAuthLimiter>();
        // The console (ConsoleAuthentication) puts a policy scheme in front as the default; API policies name this scheme.
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Viewer, p => AtLeast(p, ApiRole.Viewer))
            .AddPolicy(Operator, p => AtLeast(p, ApiRole.Operator))
            .AddPolicy(Admin, p => AtLeast(p, ApiRole.Admin));
        return services;
    }

    private static void AtLeast(Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder policy, ApiRole role) => policy
        .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
        .RequireAuthenticatedUser()
        .RequireAssertion(c => Caller.From(c.User) is { } caller && caller.Role >= role);

    /// <summary>
    /// A tenant key on another tenant's path (any route with <c>{tenant}</c>) gets 404, as if nothing were there, before
    /// its role is checked and before its body is read: no answer tells another tenant's rules, or the tenant, exist.
    /// </summary>
    public static WebApplication UseTenantScope(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (context.GetRouteValue("tenant") is string tenant && Caller.From(context.User) is { } caller && !caller.Sees(tenant))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            await next(context);
        });
        return app;
    }
}
