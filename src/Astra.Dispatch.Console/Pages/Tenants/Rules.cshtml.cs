using System.Globalization;
using Astra.Dispatch.Console.Web;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Management;
using Astra.Dispatch.Storage;

namespace Astra.Dispatch.Console.Pages.Tenants;

/// <summary><c>/t/{tenant}/rules</c>: the tenant's rules with their state, last delivery and recent failure rate.</summary>
internal sealed class RulesModel(RuleService rules, IDeliverySearch deliveries, TimeProvider time) : ConsolePage
{
    public IReadOnlyList<RuleRow> Rows { get; private set; } = [];

    public DateTimeOffset Now { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Now = time.GetUtcNow();
        var list = await rules.ListAsync(Tenant, cancellationToken);
        var activity = (await deliveries.ActivityByRuleAsync(Tenant, Now.AddDays(-1), Now.AddHours(-1), cancellationToken)).ToLookup(a => a.RuleId);
        Rows = [.. list.Select(rule => RuleRow.Of(rule, activity[rule.Row.Id].ToList()))];
    }

    /// <summary>A rule and its deliveries: the latest status of the past day, and failed / finished in the last hour.</summary>
    public sealed record RuleRow(ManagedRule Rule, string State, string? LastStatus, string? LastAt, long Failed, long Finished)
    {
        public string FailureRate => Finished == 0 ? "" : ((double)Failed / Finished).ToString("0%", CultureInfo.InvariantCulture);

        public static RuleRow Of(ManagedRule rule, IReadOnlyList<RuleActivity> activity)
        {
            var last = activity.MaxBy(a => a.LastAt, StringComparer.Ordinal);
            var failed = activity.Where(a => a.Status == DeliveryStatus.Failed).Sum(a => a.Recent);
            var finished = failed + activity.Where(a => a.Status == DeliveryStatus.Succeeded).Sum(a => a.Recent);
            return new RuleRow(rule, StateOf(rule), last?.Status, last?.LastAt, failed, finished);
        }
    }

    public static string StateOf(ManagedRule rule) => rule.Row.Enabled ? "enabled" : rule.Row.PausedReason is null ? "disabled" : "paused";
}
