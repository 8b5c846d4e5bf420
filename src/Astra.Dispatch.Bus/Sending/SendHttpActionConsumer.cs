using Astra.Dispatch.Bus.Redelivery;
using Astra.Dispatch.Bus.Results;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Security;
using Astra.Dispatch.Storage;
using Astra.Dispatch.Telemetry;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Bus.Sending;

/// <summary>
/// Performs one attempt of a delivery and decides what follows: success is recorded and published; a transient
/// failure is redelivered through a delay tier (MassTransit's scheduled redelivery, asked for directly rather than by
/// throwing: an exception through the consume pipeline cost more than the attempt itself); a permanent failure or an
/// exhausted schedule is recorded, published as <c>action.failed</c>, and dead-lettered.
/// </summary>
public sealed partial class SendHttpActionConsumer(
    RuleCatalog catalog, HttpActionSender sender, DestinationLimiter destinations, DestinationBreaker breaker, RuleRateLimiters rateLimiters,
    DeliveryJournal journal, DeliveryStatusLookup deliveries, SucceededDeliveries succeeded, RulePauser pauser, FailureStreakPauser streak, RetrySchedule schedule,
    IOptions<HttpDeliveryOptions> httpOptions, IOptions<ResultsOptions> resultsOptions, Redactor redactor, TimeProvider time, DispatchTelemetry telemetry,
    ILogger<SendHttpActionConsumer> logger) : IConsumer<SendHttpAction>
{
    /// <summary>Set by the event consumer on a command whose delivery was already in the log (a republished event).</summary>
    public const string KnownDeliveryHeader = "astra-known-delivery";

    public async Task Consume(ConsumeContext<SendHttpAction> context)
    {
        var action = context.Message;
        var plan = context.GetPayload<RedeliveryPlan>();
        var attemptsSoFar = context.Headers.Get<int>(RedeliveryPlan.AttemptsHeader) ?? 0;
        plan.AttemptsSoFar = attemptsSoFar;
        var attempt = attemptsSoFar + 1;
        using var activity = DispatchActivities.StartDeliver(action.TenantId, action.RuleId, action.DeliveryId, attempt,
            context.Headers.Get<string>(DispatchActivities.TraceParentHeader));

        if (catalog.Current.Find(action.RuleId) is not { } rule)
            throw await FailAsync(context, null, attemptsSoFar, null, $"rule {action.RuleId} no longer exists");
        if (!rule.Enabled)
            throw await FailAsync(context, rule, attemptsSoFar, null, rule.PausedReason is { } why ? $"rule {rule.Id} is paused: {why}" : $"rule {rule.Id} is disabled");
        if (await AlreadySucceededAsync(context, action.DeliveryId, attemptsSoFar))
        {
            LogAlreadyDelivered(action.DeliveryId);
            return;
        }
        var destination = new Uri(action.Url);
        DateTimeOffset startedAt;
        AttemptOutcome outcome;
        if (breaker.Refuse(destination) is { } refused)
        {
            // An attempt that fails at once: it takes no consumer slot for a timeout and follows the retry schedule.
            startedAt = time.GetUtcNow();
            outcome = refused;
        }
        else
        {
            if (!await rateLimiters.TryAcquireAsync(rule, httpOptions.Value.MaxRateLimitWait, context.CancellationToken))
            {
                await DeferAsync(context, plan, "rate limit reached");
                return;
            }
            if (await destinations.EnterAsync(destination, context.CancellationToken) is not { } lease)
            {
                await DeferAsync(context, plan, "destination busy");
                return;
            }
            startedAt = time.GetUtcNow();
            using (lease)
                outcome = await sender.SendAsync(action, rule, context.CancellationToken);
            breaker.Record(destination, outcome);
            // Everything below stores, logs or publishes the outcome: mask redact: fields and echoed secrets first.
            outcome = outcome with { Error = redactor.Text(outcome.Error, rule.Definition), ResponseBody = redactor.Text(outcome.ResponseBody, rule.Definition) };
        }
        telemetry.AttemptFinished(rule.Id, outcome.Name, outcome.StatusCode, outcome.ShortCircuited ? null : outcome.Duration);
        activity.SetOutcome(outcome.Name, outcome.StatusCode, outcome.Error);

        switch (outcome.Kind)
        {
            case OutcomeKind.Succeeded:
                await RecordAsync(action, attempt, startedAt, outcome, DeliveryStatus.Succeeded, null, context.CancellationToken);
                succeeded.Add(action.DeliveryId);
                telemetry.Delivered(rule.Id, action.OccurredAt, time.GetUtcNow());
                // A rule that captures its response asks for it on the bus, whatever the default.
                if (resultsOptions.Value.PublishSucceeded || rule.Definition.CaptureResponse)
                    await context.PublishResultAsync(ActionResults.From<ActionSucceeded>(action, attempt, outcome, response: ResponseCapture.Build(rule.Definition, outcome.ResponseBody)), context.CancellationToken);
                return;
            case OutcomeKind.Transient when schedule.NextDelay(rule, attempt, outcome.RetryAfter) is { } next:
                plan.Tier = next.Tier;
                plan.Wait = next.Wait;
                plan.AttemptsSoFar = attempt;
                await RecordAsync(action, attempt, startedAt, outcome, DeliveryStatus.Retrying, startedAt + outcome.Duration + next.Wait, context.CancellationToken);
                // A paused rule dead-letters this command on its next delivery.
                await streak.CheckAsync(context, rule, context.CancellationToken);
                // The breaker logged once when it opened; a line per refused delivery would flood the log in an outage.
                if (outcome.ShortCircuited)
                    LogShortCircuited(action.DeliveryId, attempt, next.Wait);
                else
                    LogRetrying(action.DeliveryId, attempt, outcome.Error, next.Wait);
                telemetry.RetryScheduled(next.Tier, "retry");
                await context.Redeliver(next.Wait);
                return;
            default:
                await RecordAsync(action, attempt, startedAt, outcome, DeliveryStatus.Failed, null, context.CancellationToken);
                if (outcome.Gone)
                    await pauser.PauseAsync(context, rule, $"endpoint answered 410 Gone for delivery {action.DeliveryId}", context.CancellationToken);
                else
                    await streak.CheckAsync(context, rule, context.CancellationToken);
                var why = outcome.Kind == OutcomeKind.Transient ? $"gave up after {attempt} attempts: {outcome.Error}" : outcome.Error ?? "failed";
                throw await FailAsync(context, rule, attempt, outcome, why);
        }
    }

    /// <summary>
    /// Whether the delivery already succeeded, so it must not be sent again. A first delivery of a fresh command
    /// cannot have been handled by anyone, so only this process's successes are checked; a command that may have
    /// been handled before (redelivered by the broker, back from a delay tier, or found in the log by the event
    /// consumer) is looked up in the delivery log.
    /// </summary>
    private async ValueTask<bool> AlreadySucceededAsync(ConsumeContext context, string deliveryId, int attemptsSoFar)
    {
        if (succeeded.Contains(deliveryId))
            return true;
        var mayBeHandled = attemptsSoFar > 0 || context.ReceiveContext.Redelivered || context.GetRedeliveryCount() > 0
            || context.Headers.Get<bool>(KnownDeliveryHeader) == true;
        return mayBeHandled && await deliveries.GetStatusAsync(deliveryId, context.CancellationToken) == DeliveryStatus.Succeeded;
    }

    /// <summary>Not attempted (rate limit reached, destination saturated): back later, without using up an attempt.</summary>
    private Task DeferAsync(ConsumeContext<SendHttpAction> context, RedeliveryPlan plan, string reason)
    {
        var deferralsSoFar = context.Headers.Get<int>(RedeliveryPlan.DeferralsHeader) ?? 0;
        var tier = RetrySchedule.DeferTier(deferralsSoFar);
        telemetry.RetryScheduled(tier, "deferred");
        plan.Tier = tier;
        plan.Wait = tier;
        plan.Deferrals = deferralsSoFar + 1;
        LogDeferred(context.Message.DeliveryId, reason, tier);
        return context.Redeliver(tier);
    }

    private async Task<DeliveryFailedException> FailAsync(ConsumeContext<SendHttpAction> context, CompiledRule? rule, int attempts, AttemptOutcome? outcome, string error)
    {
        var action = context.Message;
        if (outcome is null)
        {
            await journal.AppendAsync(new AttemptRecorded(action.DeliveryId, time.GetUtcNow(), action.EventId, action.EventType, action.RuleId,
                action.TenantId, attempts, 0, null, "not-sent", error, null, DeliveryStatus.Failed, null), context.CancellationToken);
        }
        await context.PublishResultAsync(ActionResults.From<ActionFailed>(action, attempts, outcome, error), context.CancellationToken);
        LogFailed(action.DeliveryId, rule?.Id ?? action.RuleId, error);
        telemetry.Failed(action.RuleId);
        return new DeliveryFailedException(error, action.DeliveryId, action.RuleId, attempts, outcome?.StatusCode);
    }

    private ValueTask RecordAsync(SendHttpAction action, int attempt, DateTimeOffset startedAt, AttemptOutcome outcome, string status, DateTimeOffset? nextAt, CancellationToken cancellationToken) =>
        journal.AppendAsync(AttemptRecorded.Of(action, attempt, startedAt, outcome, status, nextAt), cancellationToken);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "Delivery {DeliveryId} already succeeded; not sending it again")]
    private partial void LogAlreadyDelivered(string deliveryId);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Delivery {DeliveryId} attempt {Attempt} failed ({Error}); next try in {Delay}")]
    private partial void LogRetrying(string deliveryId, int attempt, string? error, TimeSpan delay);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Debug, Message = "Delivery {DeliveryId} attempt {Attempt} not sent: its destination's circuit is open; next try in {Delay}")]
    private partial void LogShortCircuited(string deliveryId, int attempt, TimeSpan delay);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Debug, Message = "Delivery {DeliveryId} deferred ({Reason}), not attempted; next try in {Delay}")]
    private partial void LogDeferred(string deliveryId, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Delivery {DeliveryId} of rule {RuleId} failed: {Error}")]
    private partial void LogFailed(string deliveryId, string ruleId, string error);
}
