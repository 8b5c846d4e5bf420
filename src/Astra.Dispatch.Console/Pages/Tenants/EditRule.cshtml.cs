using Astra.Dispatch.Console.Web;
using Astra.Dispatch.Management;
using Astra.Dispatch.Storage;
using Microsoft.AspNetCore.Mvc;

namespace Astra.Dispatch.Console.Pages.Tenants;

/// <summary>
/// <c>/t/{tenant}/rules/{id}/edit</c> (operators): the rule as YAML, saved through <see cref="RuleService.PutAsync"/> (the
/// API's PUT) only if nobody changed it since the editor was opened; every validation error is listed with its field
/// and, when the field is found in the text, its line, which is marked in a numbered copy of the text.
/// </summary>
internal sealed class EditRuleModel(RuleService rules) : ConsolePage
{
    public string Id { get; private set; } = "";

    public string Yaml { get; private set; } = "";

    /// <summary>The rule's stamp when the editor was opened: the save's precondition (an ETag).</summary>
    public string Stamp { get; private set; } = "";

    public IReadOnlyList<LocatedError> Errors { get; private set; } = [];

    /// <summary>The rule as it is now, when a save was refused because it changed.</summary>
    public string? Current { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken cancellationToken)
    {
        if (RequireOperator() is { } forbidden)
            return forbidden;
        if (await rules.GetAsync(Tenant, id, cancellationToken) is not { } rule)
            return NotFound();
        Id = id;
        Yaml = RuleYaml.From(rule.Row.Definition, rule.Row.Enabled);
        Stamp = rule.Stamp;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string id, string? yaml, string? stamp, CancellationToken cancellationToken)
    {
        if (RequireOperator() is { } forbidden)
            return forbidden;
        Id = id;
        Yaml = yaml ?? "";
        Stamp = stamp ?? "";
        RuleChangeResult result;
        try
        {
            result = await rules.PutAsync(Tenant, id, Yaml, yaml: true, new RulePrecondition { Match = [Stamp.Length > 0 ? Stamp : "none"] }, Caller.Actor,
                cancellationToken);
        }
        catch (ManagementValidationException ex)
        {
            Errors = [.. ex.Errors.Select(e => new LocatedError(e.Field, e.Message, RuleYaml.LineOf(Yaml, e.Field)))];
            Problem = Errors.Count == 1 ? "The rule was not saved: 1 error, listed below." : $"The rule was not saved: {Errors.Count} errors, listed below.";
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
        if (result.Outcome == RuleChangeOutcome.PreconditionFailed)
        {
            if (await rules.GetAsync(Tenant, id, cancellationToken) is not { } now)
                return NotFound();
            Current = RuleYaml.From(now.Row.Definition, now.Row.Enabled);
            Problem = "Not saved: the rule changed since you opened the editor (another edit, an import, or the worker pausing it). "
                + "Your text is kept below; compare it with the current rule and save again from a fresh editor.";
            Response.StatusCode = StatusCodes.Status409Conflict;
            return Page();
        }
        return Redirect($"/t/{Tenant}/rules/{Uri.EscapeDataString(id)}?done={(result.Outcome == RuleChangeOutcome.Unchanged ? "unchanged" : "saved")}");
    }

    /// <summary>The numbered lines of the submitted text, each with the errors located on it.</summary>
    public IEnumerable<(int Number, string Text, IReadOnlyList<LocatedError> Errors)> Lines() =>
        Yaml.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n')
            .Select((text, i) => (i + 1, text, (IReadOnlyList<LocatedError>)[.. Errors.Where(e => e.Line == i + 1)]));

    /// <summary>A validation error with the line of the YAML its field is on (null when not found).</summary>
    public sealed record LocatedError(string Field, string Message, int? Line)
    {
        public string Anchor => Line is { } n ? $"line-{n}" : "";
    }
}
