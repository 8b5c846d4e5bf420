using Astra.Dispatch.Console.Web;
using Astra.Dispatch.Management;
using Astra.Dispatch.Rules;
using Microsoft.AspNetCore.Mvc;

namespace Astra.Dispatch.Console.Pages;

/// <summary><c>/</c>: a tenant key goes straight to its rules; a key of every tenant picks one.</summary>
internal sealed class IndexModel(IRuleStore rules) : ConsolePage
{
    public IReadOnlyList<TenantSummary> Tenants { get; private set; } = [];

    public string? Asked { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? tenant, CancellationToken cancellationToken)
    {
        if (Caller.TenantId is { } own)
            return Redirect($"/t/{own}/rules");
        if (tenant is not null)
        {
            if (KeyService.IsTenantId(tenant))
                return Redirect($"/t/{tenant}/rules");
            Asked = tenant;
            Problem = "That is not a tenant id: 1-63 characters of a-z, 0-9 and '-', starting with a letter or digit.";
        }
        var (_, all) = await rules.LoadAllAsync(cancellationToken);
        Tenants = [.. all.GroupBy(r => r.TenantId).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new TenantSummary(g.Key, g.Count(), g.Count(r => r.Enabled)))];
        return Page();
    }

    public sealed record TenantSummary(string Id, int Rules, int Enabled);
}
