using Astra.Dispatch.Management;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;

namespace Astra.Dispatch.Console.Authentication;

/// <summary>
/// The web console's sign-in: a cookie session opened with an API key, beside the API's bearer keys. A policy scheme
/// is the default: <c>/api</c> and any request with an <c>Authorization</c> header go to <see cref="ApiKeyAuthenticationHandler"/>,
/// everything else to the cookie, so the API never accepts a cookie (no cross-site request can use a console session on it)
/// and pages never read a bearer header.
/// </summary>
internal static class ConsoleAuthentication
{
    public const string SelectorScheme = "Astra";
    public const string CookieScheme = "AstraConsole";

    /// <summary>Page policies: a signed-in key of at least that role.</summary>
    public const string Viewer = "console-viewer";
    public const string Operator = "console-operator";

    public const string SignInPath = "/signin";

    public static IServiceCollection AddConsoleAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(ConsoleOptions.Section).Get<ConsoleOptions>() ?? new ConsoleOptions();
        // One key ring for every replica (a shared folder) and one application name whatever the content root, so any
        // replica reads a cookie another wrote, and a restart keeps sessions.
        services.AddDataProtection()
            .SetApplicationName("astra-dispatch-console")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.GetFullPath(options.DataProtectionPath)));
        services.AddSingleton<ConsoleSessionEvents>();
        services.AddAuthentication(o =>
            {
                // After AddApiKeyAuthentication: these settings win over its default scheme.
                o.DefaultScheme = SelectorScheme;
                o.DefaultChallengeScheme = SelectorScheme;
            })
            .AddPolicyScheme(SelectorScheme, "API key or console session", o => o.ForwardDefaultSelector = context =>
                context.Request.Path.StartsWithSegments("/api") || context.Request.Headers.Authorization.Count > 0
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : CookieScheme)
            .AddCookie(CookieScheme, o =>
            {
                // __Host-: only from this origin, over HTTPS (browsers count http://localhost and 127.0.0.1 as secure too), path /.
                o.Cookie.Name = "__Host-astra-console";
                o.Cookie.HttpOnly = true;
                o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.Path = "/";
                o.ExpireTimeSpan = options.SessionIdleTimeout;
                o.SlidingExpiration = true;
                o.LoginPath = SignInPath;
                o.LogoutPath = "/signout";
                o.ReturnUrlParameter = "returnUrl";
                o.EventsType = typeof(ConsoleSessionEvents);
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(Viewer, p => AtLeast(p, ApiRole.Viewer))
            .AddPolicy(Operator, p => AtLeast(p, ApiRole.Operator));
        services.AddAntiforgery(o =>
        {
            // Antiforgery refuses Always on a plain-HTTP request (http://127.0.0.1), and __Host- needs Secure: this cookie is only
            // half of a token (the form holds the other, tied to the session's key), so it follows the request's scheme.
            o.Cookie.Name = "astra-antiforgery";
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.FormFieldName = "__csrf";
            o.HeaderName = null;
        });
        return services;
    }

    private static void AtLeast(AuthorizationPolicyBuilder policy, ApiRole role) => policy
        .AddAuthenticationSchemes(CookieScheme)
        .RequireAuthenticatedUser()
        .RequireAssertion(c => Caller.From(c.User) is { } caller && caller.Role >= role);

    /// <summary>Opens a session for a key that <see cref="KeyService.AuthenticateAsync"/> accepted: the cookie holds its id, role and tenant, never its secret.</summary>
    public static Task SignInAsync(HttpContext context, ApiKeyInfo key) =>
        context.SignInAsync(CookieScheme, new Caller(key.Id, key.Name, key.Role, key.TenantId).ToPrincipal(CookieScheme),
            new AuthenticationProperties { IsPersistent = false, AllowRefresh = true });
}

/// <summary>
/// Every request of a session re-reads its key: a revoked (or deleted) key's session ends at its next request, and the
/// role and tenant are the stored ones. Failing pages answer 403 (an HTML error page) instead of a redirect.
/// </summary>
internal sealed partial class ConsoleSessionEvents(KeyService keys, ILogger<ConsoleSessionEvents> logger) : CookieAuthenticationEvents
{
    public override async Task ValidatePrincipal(CookieValidatePrincipalContext context)
    {
        var id = context.Principal?.FindFirst(Caller.KeyIdClaim)?.Value;
        if (id is null || await keys.FindValidAsync(id, context.HttpContext.RequestAborted) is not { } key)
        {
            LogSessionEnded(logger, id ?? "?");
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(ConsoleAuthentication.CookieScheme);
            return;
        }
        context.ReplacePrincipal(new Caller(key.Id, key.Name, key.Role, key.TenantId).ToPrincipal(ConsoleAuthentication.CookieScheme));
    }

    public override Task RedirectToAccessDenied(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 4201, Level = LogLevel.Information, Message = "Console session of key {KeyId} ended: the key is revoked or gone")]
    private static partial void LogSessionEnded(ILogger logger, string keyId);
}
