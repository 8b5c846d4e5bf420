using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Astra.Dispatch.Console.Pages;

/// <summary>
/// The HTML error page of every non-API path. It says what kind of error it is and nothing more: a 404 for another
/// tenant's page reads exactly as one for a page that does not exist.
/// </summary>
[IgnoreAntiforgeryToken]
internal sealed class ErrorModel : PageModel
{
    public string Title { get; private set; } = "Something went wrong";

    public string Detail { get; private set; } = "";

    public void OnGet(int? code) => Describe(code);

    // Re-executed POSTs (a form refused with 400, a page that threw) land here too.
    public void OnPost(int? code) => Describe(code);

    private void Describe(int? code)
    {
        var status = HttpContext.Features.Get<IExceptionHandlerPathFeature>() is not null ? 500
            : HttpContext.Features.Get<IStatusCodeReExecuteFeature>() is not null ? Response.StatusCode
            : code ?? 404;
        Response.StatusCode = status;
        (Title, Detail) = status switch
        {
            400 => ("The form could not be used", "It was incomplete or had expired (every form carries a one-time token). Go back, reload the page and try again."),
            403 => ("Not allowed", "Your key's role may not do this. Ask for an operator key to change rules or redrive dead letters."),
            404 => ("Not found", "There is nothing at this address for your key."),
            405 => ("Not allowed here", "This address does not take that kind of request."),
            _ => ("Something went wrong", "The console could not answer. Nothing about the error is shown here; the console's log has it."),
        };
    }
}
