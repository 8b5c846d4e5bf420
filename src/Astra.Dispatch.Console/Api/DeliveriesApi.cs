using System.Text;
using Astra.Dispatch.Bus.Operations;
using Astra.Dispatch.Console.Authentication;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Dispatching;
using Astra.Dispatch.Management;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Security;
using Astra.Dispatch.Storage;

namespace Astra.Dispatch.Console.Api;

/// <summary>
/// <c>/api/v1/tenants/{tenant}/deliveries</c>: search with an opaque cursor (newest first by creation, a walk that neither
/// skips nor repeats), one delivery with every attempt, and a resend (operator) through the CLI's
/// <see cref="DeliveryService"/>. Errors and response excerpts are redacted again on the way out, with the rule's own
/// <c>redact:</c> fields and secret values when it still exists.
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
        deliveries.MapPost("/{deliveryId}/resend", ResendAsync).WithName("ResendDelivery")
            .WithSummary("Send a delivery again: its stored event rendered for its rule as the rule is now, the same delivery id, a full retry schedule.")
            .WithDescription("202 once the command is on the send queue (the delivery is `pending` again; an earlier success does not stop it). "
                + "409 when the rule was deleted, is disabled or paused, or the event is no longer stored (older than Dispatch:Delivery:Retention); "
                + "422 when the rule as it is now cannot make the request (it no longer validates here, or still cannot render the event). "
                + "The problem's `reason` says which; `detail` says why.")
            .RequireAuthorization(ApiKeyAuthenticationExtensions.Operator)
            .Produces<ResendResponse>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesInvalid().ProducesProblem(StatusCodes.Status503ServiceUnavailable);
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

    private static async Task<IResult> ResendAsync(HttpContext context, string tenant, string deliveryId, DeliveryService deliveries, IRuleStore rules,
        Redactor redactor, CancellationToken cancellationToken)
    {
        ResendResult result;
        try
        {
            result = await deliveries.ResendAsync(deliveryId, tenant, Caller.Of(context).Actor, cancellationToken);
        }
        catch (BrokerUnavailableException ex)
        {
            return ApiResults.Unavailable(ex.Message);
        }
        if (result is { Status: ResendStatus.Sent, Delivery: { } d })
        {
            return TypedResults.Accepted($"/api/v1/tenants/{tenant}/deliveries/{Uri.EscapeDataString(d.Id)}",
                new ResendResponse(d.Id, d.RuleId, d.EventId, d.Status, DeliveryStatus.Pending));
        }
        if (result.Status == ResendStatus.NotFound)
            return ApiResults.NotFound($"Tenant '{tenant}' has no delivery '{deliveryId}'.");
        // The reason may quote a render error, so it is masked with the rule's own redactions, as attempts are.
        var definition = result.Delivery is { } delivery && await rules.GetAsync(tenant, delivery.RuleId, cancellationToken) is { } row ? RuleService.Definition(row) : null;
        var detail = redactor.Text(result.Message, definition) ?? result.Message;
        var reason = Reason(result.Status);
        return result.Status is ResendStatus.RuleInvalid or ResendStatus.RenderFailed
            ? TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status422UnprocessableEntity, title: "The rule cannot make this delivery",
                extensions: new Dictionary<string, object?> { ["reason"] = reason, ["errors"] = new[] { new FieldError("rule", detail) } })
            : TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status409Conflict, title: "The delivery cannot be resent now",
                extensions: new Dictionary<string, object?> { ["reason"] = reason });
    }

    /// <summary>The refusal as a word for clients: <c>rule-missing</c>, <c>rule-not-enabled</c>, <c>event-not-stored</c>, <c>rule-invalid</c>, <c>render-failed</c>.</summary>
    private static string Reason(ResendStatus status) => status switch
    {
        ResendStatus.RuleMissing => "rule-missing",
        ResendStatus.RuleNotEnabled => "rule-not-enabled",
        ResendStatus.EventNotStored => "event-not-stored",
        ResendStatus.RuleInvalid => "rule-invalid",
        ResendStatus.RenderFailed => "render-failed",
        _ => status.ToString(),
    };

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
