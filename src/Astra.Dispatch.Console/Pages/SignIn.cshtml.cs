using Astra.Dispatch.Console.Authentication;
using Astra.Dispatch.Console.Hosting;
using Astra.Dispatch.Management;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Astra.Dispatch.Console.Pages;

/// <summary>
/// <c>/signin</c>: a key opens a session. A wrong key counts against the same failed-authentication budget as the API's
/// (per client address); once it is used up, every sign-in from there is refused until the window ends, right keys too.
/// </summary>
internal sealed partial class SignInModel(KeyService keys, FailedAuthLimiter limiter, ConsoleMetrics metrics, ILogger<SignInModel> logger) : PageModel
{
    public string? Error { get; private set; }

    public string ReturnUrl { get; private set; } = "/";

    public IActionResult OnGet(string? returnUrl)
    {
        ReturnUrl = LocalOrHome(returnUrl);
        return User.Identity?.IsAuthenticated == true && Caller.From(User) is not null ? LocalRedirect(ReturnUrl) : Page();
    }

    public async Task<IActionResult> OnPostAsync(string? key, string? returnUrl, CancellationToken cancellationToken)
    {
        ReturnUrl = LocalOrHome(returnUrl);
        if (limiter.IsLocked(HttpContext, out var retryAfter))
        {
            Error = $"Too many failed sign-ins from this address. Try again in {Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))} s.";
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            return Page();
        }
        if (await keys.AuthenticateAsync(key?.Trim(), cancellationToken) is not { } valid)
        {
            limiter.RecordFailure(HttpContext);
            metrics.AuthenticationFailed();
            LogFailed(logger, FailedAuthLimiter.PartitionOf(HttpContext));
            // One answer for every failure: malformed, unknown, wrong and revoked keys look the same.
            Error = "That key is not valid: it is unknown, revoked or mistyped.";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }
        await ConsoleAuthentication.SignInAsync(HttpContext, valid);
        LogSignedIn(logger, valid.Id, valid.Name);
        return LocalRedirect(ReturnUrl);
    }

    private string LocalOrHome(string? url) => url is { Length: > 0 } && Url.IsLocalUrl(url) && !url.StartsWith("/signin", StringComparison.Ordinal) ? url : "/";

    [LoggerMessage(EventId = 4202, Level = LogLevel.Warning, Message = "Console sign-in failed from {Address}")]
    private static partial void LogFailed(ILogger logger, string address);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Information, Message = "Console session opened with key {KeyId} ({KeyName})")]
    private static partial void LogSignedIn(ILogger logger, string keyId, string keyName);
}
