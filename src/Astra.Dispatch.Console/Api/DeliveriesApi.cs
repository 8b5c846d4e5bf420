using System.Text;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Management;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Security;
using Astra.Dispatch.Storage;

namespace Astra.Dispatch.Console.Api;

/// <summary>
/// <c>/api/v1/tenants/{tenant}/deliveries</c>: search with an opaque cursor (newest first by creation, a walk that neither
/// skips nor repeats), and one delivery with every attempt. Errors and response excerpts are redacted again on the way
/// out, with the rule's own <c>redact:</c> fields and secret values when it still exists.
/// </summary>
internal static class DeliveriesApi
{
    private const int MaxLimit = 1000;
    private static readonly string[] Statuses = [DeliveryStatus.Pending, DeliveryStatus.Retrying, DeliveryStatus.Succeeded, DeliveryStatus.Failed];

    public static void Map(RouteGroupBuilder deliveries)
    {
        deliveries.MapGet("", ListAsync).WithName("ListDeliveries")
            .WithSummary("Deliveries, newest first: filter by status, rule, event and since (a duration such as 1h, or an ISO time); page with next.")
            .WithDescription("Returns `{ items, next }`: pass `next` as `cursor` (with the same filters) for the following page; null at the end.")
            .Produces<DeliveryPage>().ProducesInvalid();
        deliveries.MapGet("/{deliveryId}", GetAsync).WithName("GetDelivery").WithSummary("One delivery and every attempt (status, duration, redacted response excerpt, error).")
            .Produces<DeliveryDetail>();
    }

    private static async Task<IResult> ListAsync(string tenant, string? status, string? rule, string? @event, string? since, int? limit, string? cursor,
        IDeliverySearch search, Redactor redactor, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>();
        if (status is not null && !Statuses.Contains(status))
            errors.Add(new FieldError("status", $"must be one of {string.Join(", ", Statuses)}"));
        if (!ApiResults.TryParseSince(since, time, out var from))
            errors.Add(new FieldError("since", "must be a duration back from now (30m, 2h, 1d) or an ISO 8601 time"));
        if (limit is < 1 or > MaxLimit)
            errors.Add(new FieldError("limit", $"must be between 1 and {MaxLimit}"));
        DeliveryPosition? after = null;
        if (cursor is not null && !TryDecode(cursor, out after))
            errors.Add(new FieldError("cursor", "is not a cursor this API returned"));
        if (errors.Count > 0)
            return ApiResults.Invalid(errors);

        var pageSize = limit ?? 100;
        // One row more than asked says whether there is a next page without a count.
        var rows = await search.ListAsync(new DeliveryPageQuery(tenant, status, rule, @event, from, after, pageSize + 1), cancellationToken);
        var page = rows.Take(pageSize).Select(d => d with { LastError = redactor.Text(d.LastError, null) }).ToList();
        var next = rows.Count > pageSize ? Encode(new DeliveryPosition(page[^1].CreatedAt, page[^1].Id)) : null;
        return TypedResults.Ok(new DeliveryPage(page, next));
    }

    private static async Task<IResult> GetAsync(string tenant, string deliveryId, IDeliveryLog log, IRuleStore rules, Redactor redactor,
        CancellationToken cancellationToken)
    {
        if (await log.GetAsync(deliveryId, cancellationToken) is not { } delivery || delivery.TenantId != tenant)
            return ApiResults.NotFound($"Tenant '{tenant}' has no delivery '{deliveryId}'.");
        var definition = await rules.GetAsync(tenant, delivery.RuleId, cancellationToken) is { } row ? RuleService.Definition(row) : null;
        var attempts = await log.ListAttemptsAsync(deliveryId, cancellationToken);
        return TypedResults.Ok(new DeliveryDetail(
            delivery with { LastError = redactor.Text(delivery.LastError, definition) },
            [.. attempts.Select(a => a with { Error = redactor.Text(a.Error, definition), ResponseExcerpt = redactor.Text(a.ResponseExcerpt, definition) })]));
    }

    // The cursor is the last row's position, base64url: opaque to clients, checked when it comes back.
    private static string Encode(DeliveryPosition position) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"d1\n{position.CreatedAt}\n{position.Id}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryDecode(string cursor, out DeliveryPosition? position)
    {
        position = null;
        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(padded)).Split('\n');
            if (parts is not ["d1", var createdAt, var id] || !DateTimeOffset.TryParse(createdAt, System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.RoundtripKind, out _) || id.Length == 0)
                return false;
            position = new DeliveryPosition(createdAt, id);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
