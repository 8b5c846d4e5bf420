using Astra.Dispatch.Console.Web;
using Astra.Dispatch.Dispatching;
using Astra.Dispatch.Management;
using Astra.Dispatch.Storage;
using Microsoft.AspNetCore.Mvc;

namespace Astra.Dispatch.Console.Pages.Tenants;

/// <summary>
/// <c>/t/{tenant}/rules/{id}</c>: the rule's definition as YAML, enable/disable (operators; conditional on the state the
/// page showed), its revisions with a diff between any two, and a dry run against a sample event.
/// </summary>
internal sealed class RuleModel(RuleService rules) : ConsolePage
{
    public ManagedRule Rule { get; private set; } = null!;

    public string Yaml { get; private set; } = "";

    public IReadOnlyList<RuleRevision> Revisions { get; private set; } = [];

    /// <summary>The diff shown, between revisions <see cref="From"/> and <see cref="To"/>.</summary>
    public IReadOnlyList<LineDiff.Line>? Diff { get; private set; }

    public long? From { get; private set; }

    public long? To { get; private set; }

    public string Sample { get; private set; } = "";

    /// <summary>The type the sample was built for, from the rule's trigger.</summary>
    public string? SampleType { get; private set; }

    public DryRunOutcome? DryRun { get; private set; }

    public IReadOnlyList<FieldError> SampleErrors { get; private set; } = [];

    public string State => RulesModel.StateOf(Rule);

    public async Task<IActionResult> OnGetAsync(string id, long? from, long? to, string? sampleType, string? done, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
            return NotFound();
        Notice = done switch
        {
            "enabled" => "Rule enabled.",
            "disabled" => "Rule disabled.",
            "saved" => "Rule saved: a new revision is below.",
            "unchanged" => "Nothing to save: the rule was already like this.",
            _ => null,
        };
        SampleType = Rule.Definition.Trigger.Events.Contains(sampleType ?? "") ? sampleType : null;
        Sample = SampleEvents.For(Rule.Definition, SampleType);
        ShowDiff(from, to);
        return Page();
    }

    public Task<IActionResult> OnPostEnableAsync(string id, string? stamp, CancellationToken cancellationToken) => SetEnabledAsync(id, true, stamp, cancellationToken);

    public Task<IActionResult> OnPostDisableAsync(string id, string? stamp, CancellationToken cancellationToken) => SetEnabledAsync(id, false, stamp, cancellationToken);

    /// <summary>The dry run: anyone who may read the rule may try it (it sends nothing).</summary>
    public async Task<IActionResult> OnPostTestAsync(string id, string? sample, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
            return NotFound();
        Sample = sample ?? "";
        ShowDiff(null, null);
        try
        {
            var parsed = RuleService.ParseSampleEvent(Sample, Tenant);
            if (await rules.TestAsync(Tenant, id, parsed, cancellationToken) is not { } result)
                return NotFound();
            DryRun = new DryRunOutcome(result.Matches && result.RenderError is null, result.Matches, result.Checks, result.RenderError, result.Request);
        }
        catch (ManagementValidationException ex)
        {
            SampleErrors = ex.Errors;
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        }
        return Page();
    }

    private async Task<IActionResult> SetEnabledAsync(string id, bool enabled, string? stamp, CancellationToken cancellationToken)
    {
        if (RequireOperator() is { } forbidden)
            return forbidden;
        var expected = new RulePrecondition { Match = [stamp ?? "none"] };
        var result = await rules.SetEnabledAsync(Tenant, id, enabled, expected, Caller.Actor, cancellationToken);
        if (result.Outcome == RuleChangeOutcome.NotFound)
            return NotFound();
        if (result.Outcome == RuleChangeOutcome.PreconditionFailed)
        {
            await LoadAsync(id, cancellationToken);
            Sample = SampleEvents.For(Rule.Definition);
            ShowDiff(null, null);
            Problem = $"Not {(enabled ? "enabled" : "disabled")}: the rule changed since this page was loaded (someone edited it, or the worker paused it). Its current state is shown below; try again if you still want to.";
            Response.StatusCode = StatusCodes.Status409Conflict;
            return Page();
        }
        return Redirect($"/t/{Tenant}/rules/{Uri.EscapeDataString(id)}?done={(enabled ? "enabled" : "disabled")}");
    }

    private async Task<bool> LoadAsync(string id, CancellationToken cancellationToken)
    {
        if (await rules.GetAsync(Tenant, id, cancellationToken) is not { } rule)
            return false;
        Rule = rule;
        Yaml = RuleYaml.From(rule.Row.Definition, rule.Row.Enabled);
        Revisions = await rules.RevisionsAsync(Tenant, id, 100, cancellationToken);
        return true;
    }

    private void ShowDiff(long? from, long? to)
    {
        var withDefinition = Revisions.Where(r => r.Definition is not null).ToList();
        if (withDefinition.Count < 2 && from is null)
            return;
        // By default: the newest revision against the one before it.
        To = to ?? withDefinition.FirstOrDefault()?.Revision;
        From = from ?? withDefinition.Skip(1).FirstOrDefault()?.Revision;
        var a = Revisions.FirstOrDefault(r => r.Revision == From);
        var b = Revisions.FirstOrDefault(r => r.Revision == To);
        if (a is null || b is null)
            return;
        Diff = LineDiff.Compare(YamlOf(a), YamlOf(b));
    }

    private static string YamlOf(RuleRevision revision) => revision.Definition is null ? "" : RuleYaml.From(revision.Definition, revision.Enabled);

    /// <summary>A dry run's answer for the page.</summary>
    public sealed record DryRunOutcome(bool WouldSend, bool Matches, IReadOnlyList<MatchCheck> Checks, string? RenderError, RequestPreview? Request);
}
