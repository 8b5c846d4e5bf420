using System.Text;
using Astra.Dispatch.Console.Api;
using Astra.Dispatch.Console.Web;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Management;
using Astra.Dispatch.Security;
using Astra.Dispatch.Storage;

namespace Astra.Dispatch.Console.Pages.Tenants;

/// <summary>
/// <c>/t/{tenant}/deliveries</c>: the delivery log searched by status, rule, event and a time range (of the last change),
/// newest first, in pages; every filter is in the address, so a search can be bookmarked and shared.
/// </summary>
internal sealed class DeliveriesModel(IDeliverySearch search, RuleService rules, Redactor redactor, TimeProvider time) : ConsolePage
{
    public const int PageSize = 50;

    public static readonly string[] Statuses = [DeliveryStatus.Pending, DeliveryStatus.Retrying, DeliveryStatus.Succeeded, DeliveryStatus.Failed];

    public string? Status { get; private set; }

    public string? RuleId { get; private set; }

    public string? EventId { get; private set; }

    public string? Since { get; private set; }

    public string? Until { get; private set; }

    public string? Cursor { get; private set; }

    public IReadOnlyList<DeliveryRecord> Items { get; private set; } = [];

    public string? Next { get; private set; }

    public IReadOnlyList<string> RuleIds { get; private set; } = [];

    public IReadOnlyList<FieldError> Errors { get; private set; } = [];

    public DateTimeOffset Now { get; private set; }

    public bool Filtered => Status is not null || RuleId is not null || EventId is not null || Since is not null || Until is not null;

    public async Task OnGetAsync(string? status, string? rule, string? @event, string? since, string? until, string? cursor, CancellationToken cancellationToken)
    {
        Now = time.GetUtcNow();
        Status = Blank(status);
        RuleId = Blank(rule);
        EventId = Blank(@event);
        Since = Blank(since);
        Until = Blank(until);
        Cursor = Blank(cursor);
        RuleIds = [.. (await rules.ListAsync(Tenant, cancellationToken)).Select(r => r.Row.Id)];

        var errors = new List<FieldError>();
        if (Status is not null && !Statuses.Contains(Status))
            errors.Add(new FieldError("status", $"must be one of {string.Join(", ", Statuses)}"));
        if (!ApiResults.TryParseSince(Since, time, out var from))
            errors.Add(new FieldError("since", "must be a duration back from now (30m, 2h, 1d) or a UTC time such as 2026-12-06T06:40"));
        if (!ApiResults.TryParseSince(Until, time, out var to))
            errors.Add(new FieldError("until", "must be a duration back from now (30m, 2h, 1d) or a UTC time such as 2026-12-06T07:00"));
        DeliveryPosition? after = null;
        if (Cursor is not null && !TryDecode(Cursor, out after))
            errors.Add(new FieldError("cursor", "is not a page this console made; start from the first page"));
        Errors = errors;
        if (errors.Count > 0)
        {
            Problem = "The search has a mistake: see the fields marked below.";
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return;
        }

        var rows = await search.ListAsync(new DeliveryPageQuery(Tenant, Status, RuleId, EventId, from, after, PageSize + 1, to), cancellationToken);
        Items = [.. rows.Take(PageSize).Select(d => d with { LastError = redactor.Text(d.LastError, null) })];
        Next = rows.Count > PageSize ? Encode(new DeliveryPosition(Items[^1].CreatedAt, Items[^1].Id)) : null;
    }

    public string? ErrorOf(string field) => Errors.FirstOrDefault(e => e.Field == field)?.Message;

    /// <summary>This search's address with another cursor (null: the first page).</summary>
    public string PageUrl(string? cursor)
    {
        var query = new List<string>();
        void Add(string name, string? value)
        {
            if (value is not null)
                query.Add($"{name}={Uri.EscapeDataString(value)}");
        }
        Add("status", Status);
        Add("rule", RuleId);
        Add("event", EventId);
        Add("since", Since);
        Add("until", Until);
        Add("cursor", cursor);
        return $"/t/{Tenant}/deliveries" + (query.Count > 0 ? "?" + string.Join("&", query) : "");
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    // As the API's cursor: the last row's position, base64url; opaque to people, checked when it comes back.
    private static string Encode(DeliveryPosition position) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"d1\n{position.CreatedAt}\n{position.Id}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryDecode(string cursor, out DeliveryPosition? position)
    {
        position = null;
        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            if (Encoding.UTF8.GetString(Convert.FromBase64String(padded)).Split('\n') is not ["d1", var createdAt, var id] || id.Length == 0
                || Display.Parse(createdAt) is null)
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
