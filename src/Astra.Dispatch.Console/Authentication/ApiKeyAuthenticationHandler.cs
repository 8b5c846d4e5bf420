using System.Text.Encodings.Web;
using Astra.Dispatch.Console.Hosting;
using Astra.Dispatch.Management;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Console.Authentication;

/// <summary>
/// <c>Authorization: Bearer astra_…</c>: the key is looked up by its id and its secret checked against the stored salted
/// hash (<see cref="KeyService"/>). No key, a malformed, unknown, wrong or revoked one are all 401 with the same answer;
/// presented keys that fail count against the client address (<see cref="FailedAuthLimiter"/>), which then gets 429.
/// </summary>
internal sealed partial class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory loggers, UrlEncoder encoder,
    KeyService keys, FailedAuthLimiter limiter, ConsoleMetrics metrics, IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggers, encoder)
{
    public const string SchemeName = "ApiKey";

    // Set when the address was locked out before this request: its challenge is a 429, whatever key it sent.
    private static readonly object LockedOut = new();

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var headers = Request.Headers.Authorization;
        if (headers.Count == 0)
            return AuthenticateResult.NoResult();
        if (limiter.IsLocked(Context, out var retryAfter))
        {
            Context.Items[LockedOut] = retryAfter;
            return AuthenticateResult.Fail("too many failed authentications from this address");
        }
        string? reason = null;
        if (headers.Count > 1)
            reason = "more than one Authorization header";
        else if (headers[0] is not { } value || !value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            reason = "the Authorization header is not Bearer";
        else if (await keys.AuthenticateAsync(value["Bearer ".Length..].Trim(), Context.RequestAborted) is { } key)
            return AuthenticateResult.Success(new AuthenticationTicket(new Caller(key.Id, key.Name, key.Role, key.TenantId).ToPrincipal(SchemeName), SchemeName));
        reason ??= "unknown, wrong or revoked key";
        limiter.RecordFailure(Context);
        metrics.AuthenticationFailed();
        LogFailed(Logger, FailedAuthLimiter.PartitionOf(Context), reason);
        return AuthenticateResult.Fail(reason);
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // A request without a key is not a failure, but a locked-out address gets 429 for it too.
        var locked = Context.Items[LockedOut] is TimeSpan after ? after
            : Request.Headers.Authorization.Count == 0 && limiter.IsLocked(Context, out var now) ? now : (TimeSpan?)null;
        if (locked is { } retryAfter)
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await WriteAsync(StatusCodes.Status429TooManyRequests, "Too many failed authentications from this address; try again after Retry-After seconds.");
            return;
        }
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await WriteAsync(StatusCodes.Status401Unauthorized, "Send a valid API key: Authorization: Bearer astra_…");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return WriteAsync(StatusCodes.Status403Forbidden, $"This key's role ({Caller.From(Context.User)?.Role.Name()}) may not do this.");
    }

    private Task WriteAsync(int status, string detail) => problems.WriteAsync(new ProblemDetailsContext
    {
        HttpContext = Context,
        ProblemDetails = new ProblemDetails { Status = status, Detail = detail },
    }).AsTask();

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "API authentication failed from {Address}: {Reason}")]
    private static partial void LogFailed(ILogger logger, string address, string reason);
}
