using Astra.Dispatch.Console.Authentication;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Astra.Dispatch.Console.Pages;

/// <summary><c>/signout</c>: a POST (with its antiforgery token, as every form) ends the session; a GET only offers the button.</summary>
internal sealed class SignOutModel : PageModel
{
    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(ConsoleAuthentication.CookieScheme);
        return LocalRedirect(ConsoleAuthentication.SignInPath + "?signedOut=1");
    }
}
