using Astra.Dispatch.Bus.Operations;
using Astra.Dispatch.Console.Api;
using Astra.Dispatch.Console.Web;
using Astra.Dispatch.Management;
using Astra.Dispatch.Security;
using Microsoft.AspNetCore.Mvc;

namespace Astra.Dispatch.Console.Pages;

/// <summary>
/// <c>/dead-letters?queue=send|events</c> (operators): the error queues with each message's reason, and redrive of the
/// selected ones, of a rule, since a time, or all, through the same <see cref="DeadLetterService"/> as the API and CLI
/// (same scope: a tenant key sees and moves its tenant's only; an audit entry per redrive).
/// </summary>
internal sealed class DeadLettersModel(DeadLetterService dlq, Redactor redactor, TimeProvider time) : ConsolePage
{
    public const int Limit = 200;

    public string Queue { get; private set; } = "send";

    public IReadOnlyList<DeadLetter> Letters { get; private set; } = [];

    public string? Unavailable { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? queue, int? moved, int? notFound, CancellationToken cancellationToken)
    {
        if (!Select(queue))
            return NotFound();
        if (moved is { } count)
        {
            Notice = $"Redriven: {count} dead letter(s) moved back to {(Queue == "send" ? "astra.dispatch.send" : "astra.dispatch.events")} for a fresh attempt."
                + (notFound is > 0 ? $" {notFound} selected were no longer there." : "");
        }
        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? queue, string? mode, string[]? ids, string? rule, string? since, CancellationToken cancellationToken)
    {
        if (!Select(queue))
            return NotFound();
        var selection = mode switch
        {
            "selected" when ids is { Length: > 0 } => new RedriveSelection(ids, null, null, false),
            "rule" when !string.IsNullOrWhiteSpace(rule) => new RedriveSelection([], rule.Trim(), null, false),
            "since" when ApiResults.TryParseSince(since?.Trim(), time, out var from) && from is not null => new RedriveSelection([], null, from, false),
            "all" => new RedriveSelection([], null, null, true),
            _ => null,
        };
        if (selection is null)
        {
            Problem = mode switch
            {
                "selected" => "Nothing redriven: tick one or more dead letters first.",
                "rule" => "Nothing redriven: name the rule whose dead letters to move.",
                "since" => "Nothing redriven: since must be a duration back from now (30m, 2h, 1d) or a UTC time such as 2026-12-06T06:40.",
                _ => "Nothing redriven: choose what to move.",
            };
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            await LoadAsync(cancellationToken);
            return Page();
        }
        try
        {
            var outcome = await dlq.RedriveAsync(Queue, selection, ScopeOf(Caller), Caller.Actor, null, cancellationToken);
            return Redirect($"/dead-letters?queue={Queue}&moved={outcome.Moved.Count}&notFound={outcome.NotFound.Count}");
        }
        catch (BrokerUnavailableException ex)
        {
            Problem = $"Nothing redriven: the broker cannot be reached ({ex.Message}).";
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return Page();
        }
    }

    public string Reason(DeadLetter letter) => redactor.Text(letter.Reason, null) ?? "(no reason recorded)";

    private bool Select(string? queue)
    {
        Queue = queue ?? "send";
        return Queue is "send" or "events";
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            Letters = await dlq.ListAsync(Queue, ScopeOf(Caller), Limit, cancellationToken);
        }
        catch (BrokerUnavailableException ex)
        {
            Unavailable = ex.Message;
        }
    }

    // As the API: a tenant key sees its tenant's; a key of every tenant sees all, and an admin also the unattributed.
    private static DeadLetterScope ScopeOf(Authentication.Caller caller) => new(caller.TenantId, caller.TenantId is null && caller.Role == ApiRole.Admin);
}
