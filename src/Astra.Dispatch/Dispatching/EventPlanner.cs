using System.Diagnostics;
using Astra.Dispatch.Catalog;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Matching;
using Astra.Dispatch.Security;
using Astra.Dispatch.Storage;
using Astra.Dispatch.Telemetry;
using Astra.Dispatch.Templating;
using Astra.Dispatch.Tenancy;
using Microsoft.Extensions.Logging;

namespace Astra.Dispatch.Dispatching;

/// <summary>
/// Turns one conversation event into its <see cref="EventPlan"/>: validates it, checks that its publisher may publish for
/// its tenant (<see cref="PublisherBinding"/>), matches it against the cached rules,
/// renders one command per matched rule, and decides which commands to park (their destination's circuit is open) and
/// which to mark as known (their delivery is already in the log). The event consumer carries the plan out.
/// </summary>
internal sealed partial class EventPlanner(
    RuleCatalog catalog, RuleMatcher matcher, RequestRenderer renderer, DestinationBreaker breaker, RetrySchedule schedule, IDeliveryLog log,
    IDelayTierAvailability tiers, NetworkPolicies policies, DispatchTelemetry telemetry, TimeProvider time, ILogger<EventPlanner> logger,
    PublisherBinding? publishers = null) : IEventPlanner
{
    public async Task<EventPlan> PlanAsync(ConversationEvent e, EventReceipt receipt, CancellationToken cancellationToken)
    {
        if (EventValidator.Validate(e, receipt.BodyBytes) is { } reason)
        {
            telemetry.EventConsumed("(invalid)", "invalid");
            return EventPlan.Rejected(reason);
        }
        // The container always passes the configured binding; without one (a planner built by hand), nothing is bound.
        if (publishers?.Refusal(e.TenantId, receipt.PublisherUserId) is { } refusal)
        {
            // Dead-lettered like an invalid event (and logged once, there): it never reaches the claimed tenant's rules.
            telemetry.EventConsumed("(refused)", "refused");
            return EventPlan.Rejected(refusal);
        }
        if (!catalog.IsLoaded)
            await catalog.RefreshAsync(cancellationToken);
        var candidates = Candidates(e);
        if (candidates.Count == 0)
        {
            telemetry.EventConsumed(e.Type, "unmatched");
            return EventPlan.Empty;
        }

        var occurredAt = e.OccurredAt ?? time.GetUtcNow();
        var model = EventModel.From(e, occurredAt);
        var rawEvent = EventModel.RawJson(e, occurredAt);
        var matched = new List<(SendHttpAction Command, CompiledRule Rule)>(candidates.Count);
        var failures = new List<ActionFailed>();
        var entries = new List<DeliveryLogEntry>(candidates.Count);
        foreach (var rule in candidates)
        {
            var deliveryId = DeliveryId.For(e.TenantId, e.EventId, rule.Id);
            using var render = DispatchActivities.StartRender(rule.Id, deliveryId);
            try
            {
                if (!await matcher.ConditionHoldsAsync(rule, model))
                    continue;
                telemetry.RuleMatched(rule.Id);
                var request = await renderer.RenderAsync(rule, model, rawEvent);
                matched.Add((DeliveryCommands.Create(e, occurredAt, rule, request, deliveryId), rule));
            }
            catch (RenderException ex)
            {
                // A template that cannot render this event's data will never render it: fail the action, visibly, once.
                render?.SetStatus(ActivityStatusCode.Error, "render failed");
                telemetry.Failed(rule.Id, deadLettered: false);
                LogRenderFailed(rule.Id, deliveryId, ex.Message);
                entries.Add(new AttemptRecorded(deliveryId, time.GetUtcNow(), e.EventId, e.Type, rule.Id, e.TenantId, 0, 0, null,
                    AttemptOutcomes.RenderFailed, ex.Message, null, DeliveryStatus.Failed, null));
                failures.Add(DeliveryResults.RenderFailed(e, rule.Id, deliveryId, ex.Message));
            }
        }
        telemetry.EventConsumed(e.Type, matched.Count == 0 ? "unmatched" : "matched");
        // The event itself, once, so any of its deliveries (a render failure too) can be planned again later.
        if (matched.Count + failures.Count > 0)
            entries.Insert(0, new EventRecorded(time.GetUtcNow(), e.TenantId, e.EventId, e.Type, rawEvent.Value));
        if (matched.Count == 0)
            return new EventPlan { Failures = failures, LogEntries = entries };

        // A delivery already in the log (a republished event), or any of a redelivered event, is marked known, so the
        // send consumer checks the log before sending it.
        var known = receipt.Redelivered ? null : await FindExistingAsync(matched, cancellationToken);
        var now = time.GetUtcNow();
        var commands = new List<PlannedCommand>(matched.Count);
        foreach (var (command, rule) in matched)
        {
            var isKnown = known is null || known.Contains(command.DeliveryId);
            var park = isKnown ? null : Park(command, rule, now);
            // A parked delivery's refused attempt creates its row in the log; the others start as pending.
            entries.Add((DeliveryLogEntry?)park?.Attempt ?? new DeliveryCreated(command.DeliveryId, now, command.EventId, command.EventType, command.RuleId, command.TenantId));
            commands.Add(new PlannedCommand(command, isKnown, park?.Parking));
        }
        LogMatched(e.EventId, e.Type, e.TenantId, commands.Count);
        return new EventPlan { Commands = commands, Failures = failures, LogEntries = entries };
    }

    /// <summary>
    /// Which deliveries are in the log already; null (all of them may be) when the database does not answer: the send
    /// consumer then asks again, and the claim before sending keeps a copy from going twice either way.
    /// </summary>
    private async Task<IReadOnlySet<string>?> FindExistingAsync(List<(SendHttpAction Command, CompiledRule Rule)> matched, CancellationToken cancellationToken)
    {
        try
        {
            return await log.FindExistingAsync([.. matched.Select(c => c.Command.DeliveryId)], cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogLookupFailed(ex);
            return null;
        }
    }

    /// <summary>Appends the plan's log entries: after the broker confirmed its commands, so the log never runs ahead of the bus.</summary>
    public async Task RecordAsync(EventPlan plan, CancellationToken cancellationToken)
    {
        foreach (var entry in plan.LogEntries)
            await log.AppendAsync(entry, cancellationToken);
    }

    /// <summary>
    /// While the destination's circuit is open, the send consumer would only refuse the command and move it to a
    /// retry tier; the planner records that refused first attempt and parks the command in the tier itself, sparing
    /// the broker and the worker a round trip per delivery through <c>astra.dispatch.send</c>.
    /// </summary>
    private (AttemptRecorded Attempt, Parking Parking)? Park(SendHttpAction command, CompiledRule rule, DateTimeOffset now)
    {
        if (!breaker.AnyOpen || breaker.Refuse(new Uri(command.Url), mayProbe: false, policies.For(command.TenantId).Scope) is not { } refused
            || schedule.NextDelay(rule, 1, refused.RetryAfter) is not { } next)
            return null;
        // A tier the broker refused: send the command instead; the send side fails it with the reason.
        if (tiers.IsKnownUnavailable(next.Tier))
            return null;
        telemetry.AttemptFinished(rule.Id, refused.Name, null, null);
        telemetry.RetryScheduled(next.Tier, "retry");
        LogParked(command.DeliveryId, next.Wait);
        return (DeliveryCommands.Attempt(command, 1, now, refused, DeliveryStatus.Retrying, now + next.Wait), new Parking(next.Tier, next.Wait));
    }

    private IReadOnlyList<CompiledRule> Candidates(ConversationEvent e)
    {
        using var match = DispatchActivities.StartMatch(e.TenantId);
        var candidates = catalog.Current.Candidates(e.TenantId, e.Type, e.AgentId);
        match?.SetTag(DispatchTelemetry.Tags.Candidates, candidates.Count);
        return candidates;
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Event {EventId} ({EventType}, tenant {TenantId}) matched {Count} rule(s)")]
    private partial void LogMatched(string eventId, string eventType, string tenantId, int count);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Looking up deliveries in the log failed; the commands are marked as possibly handled")]
    private partial void LogLookupFailed(Exception exception);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Debug, Message = "Delivery {DeliveryId} parked: its destination's circuit is open; first try in {Delay}")]
    private partial void LogParked(string deliveryId, TimeSpan delay);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Rule {RuleId} could not render delivery {DeliveryId}: {Reason}")]
    private partial void LogRenderFailed(string ruleId, string deliveryId, string reason);
}
