using System.Diagnostics;
using Astra.Dispatch.Catalog;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Security;
using Astra.Dispatch.Storage;
using Astra.Dispatch.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Dispatching;

/// <summary>
/// One attempt of a delivery, and what follows it: the command is checked against its rule, claimed
/// (<see cref="DeliveryClaims"/>: no other copy of it is being sent, it has not succeeded, its rule is enabled as
/// stored), admitted by the <see cref="DeliveryGate"/> (a deferral gives the claim back), sent, redacted, recorded in the delivery log with the release of its
/// claim, and judged by the <see cref="AttemptPolicy"/>. The send consumer carries out the returned
/// <see cref="DeliveryDecision"/> on the bus.
/// </summary>
internal sealed partial class DeliveryAttempt(
    RuleCatalog catalog, DeliveryGate gate, DeliveryClaims claims, IHttpActionSender sender, Redactor redactor, RetrySchedule schedule, IDeliveryLog log,
    SucceededDeliveries succeeded, RulePausing pausing, IOptions<ResultsOptions> results, IOptions<HttpDeliveryOptions> http, DispatchTelemetry telemetry,
    TimeProvider time, IDelayTierAvailability tiers, ILogger<DeliveryAttempt> logger) : IDeliveryAttempt
{
    /// <summary>
    /// A claim's lease beyond the rule's HTTP timeout: the call, the outcome's way into the log and the log's batch
    /// must all fit in it, or a second copy could claim the delivery while the first is still being recorded.
    /// </summary>
    public static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(30);

    public async Task<DeliveryDecision> RunAsync(SendHttpAction command, AttemptInfo info, CancellationToken cancellationToken)
    {
        // The command crossed the broker: it is checked against the rule as stored, not trusted.
        var rule = catalog.Current.Find(command.TenantId, command.RuleId);
        if (rule is null)
            return await FailUnsentAsync(command, info, $"rule {command.RuleId} does not exist for tenant {command.TenantId}", cancellationToken);
        if (!rule.Enabled)
            return await FailUnsentAsync(command, info, rule.PausedReason is { } why ? $"rule {rule.Id} is paused: {why}" : $"rule {rule.Id} is disabled", cancellationToken);
        if (CommandCheck.Refusal(command, rule) is { } refusal)
        {
            LogCommandRefused(command.DeliveryId, command.TenantId, command.RuleId, refusal);
            return await FailUnsentAsync(command, info, refusal, cancellationToken);
        }
        if (await AlreadySucceededAsync(command, info, cancellationToken))
        {
            LogAlreadyDelivered(command.DeliveryId);
            return new DeliveryDecision.AlreadyDelivered();
        }

        var destination = new Uri(command.Url);
        DateTimeOffset startedAt;
        AttemptOutcome outcome;
        // Claimed before the gate: a destination's slots are held by sends, never by a wait on the database.
        var owner = claims.NewOwner();
        ClaimAnswer claim;
        try
        {
            var lease = (rule.Timeout ?? http.Value.DefaultTimeout) + LeaseMargin;
            claim = await claims.ClaimAsync(command.DeliveryId, owner, command.TenantId, command.RuleId, lease, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The database is the authority on who may send: without it, nothing is sent; the command comes back.
            LogClaimFailed(ex, command.DeliveryId);
            return await DeferAsync(command, info, "delivery claims unavailable", null, cancellationToken);
        }
        switch (claim.Outcome)
        {
            case ClaimOutcome.Succeeded:
                succeeded.Add(command.DeliveryId);
                LogAlreadyDelivered(command.DeliveryId);
                return new DeliveryDecision.AlreadyDelivered();
            case ClaimOutcome.Held:
                // Another copy is in flight: back in a moment, when it has most likely succeeded.
                return await DeferAsync(command, info, "another copy of this delivery holds its claim", null, cancellationToken);
            case ClaimOutcome.RuleNotEnabled:
                return await FailUnsentAsync(command, info, await StoredStateAsync(command, cancellationToken), cancellationToken);
        }
        Admission admission;
        try
        {
            admission = await gate.EnterAsync(rule, command, destination, cancellationToken);
        }
        catch
        {
            await claims.ReleaseAsync(command.DeliveryId, owner);
            throw;
        }
        switch (admission)
        {
            case Admission.Deferred deferred:
                // Nothing was sent: the claim goes back, so the deferred command (or another copy) may claim it again.
                await claims.ReleaseAsync(command.DeliveryId, owner);
                return await DeferAsync(command, info, deferred.Reason, deferred.RetryAfter, cancellationToken);
            case Admission.Refused refused:
                // Recorded with its claim, which the log's batch releases.
                startedAt = time.GetUtcNow();
                outcome = refused.Outcome;
                break;
            case Admission.Admitted admitted:
                using (admitted.Leases)
                {
                    startedAt = time.GetUtcNow();
                    try
                    {
                        outcome = await sender.SendAsync(command, rule, cancellationToken);
                    }
                    catch
                    {
                        // Cancelled (shutdown) or broken: nothing is recorded, so the requeued command may claim again at once.
                        await claims.ReleaseAsync(command.DeliveryId, owner);
                        throw;
                    }
                }
                gate.Record(command.TenantId, destination, outcome);
                // Everything below stores, logs or publishes the outcome: mask redact: fields and echoed secrets first.
                outcome = outcome with { Error = redactor.Text(outcome.Error, rule.Definition), ResponseBody = redactor.Text(outcome.ResponseBody, rule.Definition) };
                break;
            default:
                throw new UnreachableException();
        }
        telemetry.AttemptFinished(rule.Id, outcome.Name, outcome.StatusCode, outcome.ShortCircuited ? null : outcome.Duration);
        Activity.Current.SetOutcome(outcome.Name, outcome.StatusCode, outcome.Error);
        return AttemptPolicy.Decide(outcome, rule, info.Attempt, schedule) switch
        {
            AttemptVerdict.Succeeded => await SucceededAsync(command, rule, info, startedAt, outcome, owner, cancellationToken),
            AttemptVerdict.Retry retry when !await IsAvailableAsync(retry.Tier, cancellationToken) => await FailAsync(command, rule, info, startedAt, outcome,
                new AttemptVerdict.Fail($"not retried: its retry delay {Durations.Format(retry.Tier)} cannot be used (the broker refused to declare that delay tier's queue; see the worker's log); last error: {outcome.Error}", PauseRule: false),
                owner, cancellationToken),
            AttemptVerdict.Retry retry => await RetryAsync(command, rule, info, startedAt, outcome, retry, owner, cancellationToken),
            AttemptVerdict.Fail fail => await FailAsync(command, rule, info, startedAt, outcome, fail, owner, cancellationToken),
            _ => throw new UnreachableException(),
        };
    }

    /// <summary>
    /// Whether the delivery already succeeded, so it must not be sent again. A fresh command cannot have been handled
    /// by anyone, so only this process's successes are checked; one that may have been handled before is looked up in
    /// the delivery log. A resend was reopened in the log by the operator: this process's memory of its earlier
    /// success no longer counts. (The claim taken before sending is what keeps two copies in flight from both going.)
    /// </summary>
    private async ValueTask<bool> AlreadySucceededAsync(SendHttpAction command, AttemptInfo info, CancellationToken cancellationToken)
    {
        if (!command.Resend && succeeded.Contains(command.DeliveryId))
            return true;
        if (!info.MayBeHandled && !command.Resend)
            return false;
        try
        {
            return await log.GetStatusAsync(command.DeliveryId, cancellationToken) == DeliveryStatus.Succeeded;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The claim asks the database again and defers the command if it still does not answer.
            LogStatusFailed(ex, command.DeliveryId);
            return false;
        }
    }

    private async Task<DeliveryDecision> DeferAsync(SendHttpAction command, AttemptInfo info, string reason, TimeSpan? retryAfter, CancellationToken cancellationToken)
    {
        if (await DeferralAsync(info, retryAfter, cancellationToken) is not var (tier, wait))
            return await FailUnsentAsync(command, info, $"deferred ({reason}), but no deferral delay tier can be used (the broker refused to declare their queues; see the worker's log)", cancellationToken);
        telemetry.RetryScheduled(tier, "deferred");
        LogDeferred(command.DeliveryId, reason, wait);
        return new DeliveryDecision.Defer(tier, wait, info.AttemptsSoFar, info.DeferralsSoFar + 1, reason);
    }

    private ValueTask<bool> IsAvailableAsync(TimeSpan tier, CancellationToken cancellationToken) => tiers.IsAvailableAsync(tier, cancellationToken);

    /// <summary>
    /// The deferral's tier and wait: the back-off's own tier, or, when the broker refused that one, the nearest longer
    /// deferral tier that works (then the nearest shorter); null when none does.
    /// </summary>
    private async ValueTask<(TimeSpan Tier, TimeSpan Wait)?> DeferralAsync(AttemptInfo info, TimeSpan? retryAfter, CancellationToken cancellationToken)
    {
        var (tier, wait) = schedule.Defer(info.DeferralsSoFar, retryAfter);
        if (await IsAvailableAsync(tier, cancellationToken))
            return (tier, wait);
        foreach (var other in RetrySchedule.DeferTiers.Where(t => t != tier).OrderBy(t => t < tier).ThenBy(t => (t - tier).Duration()))
        {
            if (await IsAvailableAsync(other, cancellationToken))
                return (other, schedule.DeferWait(other, retryAfter));
        }
        return null;
    }

    /// <summary>The claim found the rule not enabled as stored: this process's cache is behind; catch up and say why.</summary>
    private async Task<string> StoredStateAsync(SendHttpAction command, CancellationToken cancellationToken)
    {
        try
        {
            await catalog.RefreshAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRefreshFailed(ex);
        }
        return catalog.Current.Find(command.TenantId, command.RuleId) switch
        {
            null => $"rule {command.RuleId} does not exist for tenant {command.TenantId}",
            { PausedReason: { } why } rule => $"rule {rule.Id} is paused: {why}",
            var rule => $"rule {rule.Id} is disabled",
        };
    }

    private async Task<DeliveryDecision> SucceededAsync(SendHttpAction command, CompiledRule rule, AttemptInfo info, DateTimeOffset startedAt,
        AttemptOutcome outcome, string? owner, CancellationToken cancellationToken)
    {
        await log.AppendAsync(DeliveryCommands.Attempt(command, info.Attempt, startedAt, outcome, DeliveryStatus.Succeeded, null, owner), cancellationToken);
        succeeded.Add(command.DeliveryId);
        telemetry.Delivered(rule.Id, command.OccurredAt, time.GetUtcNow());
        // A rule that captures its response asks for it on the bus, whatever the default.
        var publish = results.Value.PublishSucceeded || rule.Definition.CaptureResponse;
        return new DeliveryDecision.Delivered(publish
            ? DeliveryResults.From<ActionSucceeded>(command, info.Attempt, outcome, response: ResponseCapture.Build(rule.Definition, outcome.ResponseBody))
            : null);
    }

    private async Task<DeliveryDecision> RetryAsync(SendHttpAction command, CompiledRule rule, AttemptInfo info, DateTimeOffset startedAt,
        AttemptOutcome outcome, AttemptVerdict.Retry retry, string? owner, CancellationToken cancellationToken)
    {
        var nextAt = startedAt + outcome.Duration + retry.Wait;
        await log.AppendAsync(DeliveryCommands.Attempt(command, info.Attempt, startedAt, outcome, DeliveryStatus.Retrying, nextAt, owner), cancellationToken);
        // The breaker logged once when it opened; a line per refused delivery would flood the log in an outage.
        if (outcome.ShortCircuited)
            LogShortCircuited(command.DeliveryId, info.Attempt, retry.Wait);
        else
            LogRetrying(command.DeliveryId, info.Attempt, outcome.Error, retry.Wait);
        telemetry.RetryScheduled(retry.Tier, "retry");
        // A rule paused now dead-letters this command on its next delivery.
        return new DeliveryDecision.Retry(retry.Tier, retry.Wait, info.Attempt) { Paused = await pausing.CheckFailureStreakAsync(rule, cancellationToken) };
    }

    private async Task<DeliveryDecision> FailAsync(SendHttpAction command, CompiledRule rule, AttemptInfo info, DateTimeOffset startedAt,
        AttemptOutcome outcome, AttemptVerdict.Fail fail, string? owner, CancellationToken cancellationToken)
    {
        await log.AppendAsync(DeliveryCommands.Attempt(command, info.Attempt, startedAt, outcome, DeliveryStatus.Failed, null, owner), cancellationToken);
        var paused = fail.PauseRule
            ? await pausing.PauseAsync(rule, $"endpoint answered 410 Gone for delivery {command.DeliveryId}", cancellationToken)
            : await pausing.CheckFailureStreakAsync(rule, cancellationToken);
        return Failed(command, info.Attempt, outcome, fail.Error) with { Paused = paused };
    }

    /// <summary>Failed before any attempt (rule gone or disabled, or a command the rule could not have made): recorded, published, dead-lettered.</summary>
    private async Task<DeliveryDecision> FailUnsentAsync(SendHttpAction command, AttemptInfo info, string error, CancellationToken cancellationToken)
    {
        await log.AppendAsync(new AttemptRecorded(command.DeliveryId, time.GetUtcNow(), command.EventId, command.EventType, command.RuleId,
            command.TenantId, info.AttemptsSoFar, 0, null, AttemptOutcomes.NotSent, error, null, DeliveryStatus.Failed, null, DeliveryCommands.CurrentTraceId()),
            cancellationToken);
        return Failed(command, info.AttemptsSoFar, null, error);
    }

    private DeliveryDecision.Fail Failed(SendHttpAction command, int attempts, AttemptOutcome? outcome, string error)
    {
        LogFailed(command.DeliveryId, command.RuleId, error);
        telemetry.Failed(command.RuleId);
        return new DeliveryDecision.Fail(DeliveryResults.From<ActionFailed>(command, attempts, outcome, error), attempts, outcome?.StatusCode);
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "Delivery {DeliveryId} already succeeded; not sending it again")]
    private partial void LogAlreadyDelivered(string deliveryId);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Delivery {DeliveryId} attempt {Attempt} failed ({Error}); next try in {Delay}")]
    private partial void LogRetrying(string deliveryId, int attempt, string? error, TimeSpan delay);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Debug, Message = "Delivery {DeliveryId} attempt {Attempt} not sent: its destination's circuit is open; next try in {Delay}")]
    private partial void LogShortCircuited(string deliveryId, int attempt, TimeSpan delay);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Debug, Message = "Delivery {DeliveryId} deferred ({Reason}), not attempted; next try in {Delay}")]
    private partial void LogDeferred(string deliveryId, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "Command of delivery {DeliveryId} (tenant {TenantId}, rule {RuleId}) does not match its rule and is not sent: {Reason}")]
    private partial void LogCommandRefused(string deliveryId, string tenantId, string ruleId, string reason);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Warning, Message = "Claiming delivery {DeliveryId} failed; deferred")]
    private partial void LogClaimFailed(Exception exception, string deliveryId);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "Reading the status of delivery {DeliveryId} failed; its claim decides")]
    private partial void LogStatusFailed(Exception exception, string deliveryId);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "Refreshing rules after a claim found a rule not enabled failed")]
    private partial void LogRefreshFailed(Exception exception);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Delivery {DeliveryId} of rule {RuleId} failed: {Error}")]
    private partial void LogFailed(string deliveryId, string ruleId, string error);
}
