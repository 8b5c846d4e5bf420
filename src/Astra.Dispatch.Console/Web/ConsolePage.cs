using Astra.Dispatch.Console.Authentication;
using Astra.Dispatch.Management;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Astra.Dispatch.Console.Web;

/// <summary>What every signed-in page knows: who is signed in, what the key may do, and the tenant of the page (if any).</summary>
internal abstract class ConsolePage : PageModel
{
    /// <summary>The signed-in key (every page but sign-in and errors requires a session).</summary>
    public Caller Caller => Caller.Of(HttpContext);

    /// <summary>Operators and admins change rules and redrive; viewers only read.</summary>
    public bool CanOperate => Caller.Role >= ApiRole.Operator;

    /// <summary>The page's tenant, from its path (the tenant-scope middleware has already answered 404 to another tenant's key).</summary>
    public string Tenant => RouteData.Values["tenant"] as string ?? Caller.TenantId ?? "";

    /// <summary>A one-line outcome of the last action (from <c>?done=</c> after a redirect), shown in a status region.</summary>
    public string? Notice { get; set; }

    /// <summary>Why the last action was refused, shown in an alert region.</summary>
    public string? Problem { get; set; }

    /// <summary>403 for a viewer trying a change (the page itself is theirs to read).</summary>
    protected IActionResult? RequireOperator() => CanOperate ? null : Forbid();
}
