using Astra.Dispatch.Console.Authentication;
using Astra.Dispatch.Management;
using Astra.Dispatch.Storage;

namespace Astra.Dispatch.Console.Api;

/// <summary>
/// <c>/api/v1/audit</c>: every change made through the API or the CLI, newest first, paged with <c>next</c>. A tenant
/// key sees its tenant's entries only (asking for another tenant is 404, as on tenant paths).
/// </summary>
internal static class AuditApi
{
    public static void Map(RouteGroupBuilder audit) =>
        audit.MapGet("", ListAsync).WithName("ListAudit")
            .WithSummary("Who (key:<name> or cli:<user>) changed what (action, target, rule revisions before and after) when; filter by tenant, actor, action, target, since.")
            .Produces<AuditPage>().ProducesInvalid().ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<IResult> ListAsync(HttpContext context, string? tenant, string? actor, string? action, string? target, string? since, int? limit,
        string? cursor, IAuditLog log, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.Of(context);
        if (tenant is not null && !caller.Sees(tenant))
            return ApiResults.NotFound("Not found.");
        var errors = new List<FieldError>();
        if (!ApiResults.TryParseSince(since, time, out var from))
            errors.Add(new FieldError("since", "must be a duration back from now (30m, 2h, 1d) or an ISO 8601 time"));
        if (limit is < 1 or > 1000)
            errors.Add(new FieldError("limit", "must be between 1 and 1000"));
        long? before = null;
        if (cursor is not null)
        {
            if (long.TryParse(cursor, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) && id > 0)
                before = id;
            else
                errors.Add(new FieldError("cursor", "is not a cursor this API returned"));
        }
        if (errors.Count > 0)
            return ApiResults.Invalid(errors);
        var pageSize = limit ?? 100;
        var rows = await log.ListAsync(new AuditQuery(tenant ?? caller.TenantId, actor, action, target, from, before, pageSize + 1), cancellationToken);
        var page = rows.Take(pageSize).ToList();
        var next = rows.Count > pageSize ? page[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new AuditPage([.. page.Select(AuditEntryResponse.From)], next));
    }
}
