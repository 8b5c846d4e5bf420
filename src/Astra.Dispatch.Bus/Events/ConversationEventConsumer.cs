using Astra.Dispatch.Bus.Redelivery;
using Astra.Dispatch.Bus.Results;
using Astra.Dispatch.Bus.Sending;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Matching;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Storage;
using Astra.Dispatch.Telemetry;
using Astra.Dispatch.Templating;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace Astra.Dispatch.Bus.Events;

/// <summary>
/// Matches an event against the cached rules and sends one <see cref="SendHttpAction"/> per matched rule (parked
/// in a retry tier instead while its destination's circuit is open). The event is acknowledged only after every
/// command is confirmed by the broker.
/// </summary>
public sealed partial class ConversationEventConsumer(
    RuleCatalog catalog, RequestRenderer renderer, LiquidEngine liquid, DeliveryJournal journal, DeliveryStatusLookup deliveries, TimeProvider time,
    DestinationBreaker breaker, RetrySchedule schedule, DelayTiers tiers, DispatchTelemetry telemetry, ILogger<ConversationEventConsumer> logger) : IConsumer<ConversationEvent>
{
    /// <summary>
    /// Commands go to the send queue's exchange, declared with the queue and its binding before the bus starts
    /// (<see cref="DelayTiers.DeclareSendQueueAsync"/>): a <c>queue:</c> address would have MassTransit declare the
    /// queue itself, as a classic queue, which the broker refuses once it is a quorum queue.
    /// </summary>
    public static readonly Uri SendExchange = new($"exchange:{BusNames.SendQueue}");

    public async Task Consume(ConsumeContext<ConversationEvent> context)
    {
        var e = context.Message;
        if (EventValidator.Validate(e, context.ReceiveContext.Body.Length ?? 0) is { } reason)
        {
            telemetry.EventConsumed("(invalid)", "invalid");
            throw new InvalidEventException(reason);
        }
        var headers = context.ReceiveContext.TransportHeaders;
        using var activity = DispatchActivities.StartEvent(headers.Get<string>(DispatchActivities.TraceParentHeader),
            headers.Get<string>(DispatchActivities.TraceStateHeader), e.TenantId, e.Type, e.EventId);
        if (!catalog.IsLoaded)
            await catalog.RefreshAsync(context.CancellationToken);

        var candidates = Candidates(e);
        if (candidates.Count == 0)
        {
            telemetry.EventConsumed(e.Type, "unmatched");
            return;
        }

        var occurredAt = e.OccurredAt ?? time.GetUtcNow();
        var model = EventModel.From(e, occurredAt);
        var rawEvent = EventModel.RawJson(e, occurredAt);
        var commands = new List<(SendHttpAction Command, CompiledRule Rule)>(candidates.Count);
        foreach (var rule in candidates)
        {
            var deliveryId = DeliveryId.For(e.TenantId, e.EventId, rule.Id);
            using var render = DispatchActivities.StartRender(rule.Id, deliveryId);
            try
            {
                if (rule.Condition is { } condition && !await LiquidEngine.EvaluateAsync(condition, liquid.CreateContext(model)))
                    continue;
                telemetry.RuleMatched(rule.Id);
                var request = await renderer.RenderAsync(rule, model, rawEvent);
                commands.Add((new SendHttpAction
                {
                    DeliveryId = deliveryId,
                    EventId = e.EventId,
                    EventType = e.Type,
                    TenantId = e.TenantId,
                    AgentId = e.AgentId,
                    ConversationId = e.ConversationId,
                    RuleId = rule.Id,
                    RuleVersion = rule.Version,
                    Method = request.Method,
                    Url = request.Url,
                    Headers = request.Headers,
                    Body = request.Body,
                    ContentType = request.ContentType,
                    OccurredAt = occurredAt,
                }, rule));
            }
            catch (RenderException ex)
            {
                render?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, "render failed");
                telemetry.Failed(rule.Id, deadLettered: false);
                await FailRenderAsync(context, e, rule, deliveryId, ex);
            }
        }
        telemetry.EventConsumed(e.Type, commands.Count == 0 ? "unmatched" : "matched");
        if (commands.Count == 0)
            return;

        // A delivery already in the log (a republished event) or of a redelivered event is marked, so the send
        // consumer checks the log before sending it.
        var redelivered = context.ReceiveContext.Redelivered;
        var known = redelivered ? null : await deliveries.FindExistingAsync([.. commands.Select(c => c.Command.DeliveryId)], context.CancellationToken);
        var endpoint = await context.GetSendEndpoint(SendExchange);
        var now = time.GetUtcNow();
        // A parked delivery's refused attempt creates its row in the log; the others start as pending.
        var logged = new List<JournalEntry>(commands.Count);
        using (DispatchActivities.StartSendCommands(commands.Count))
        {
            await Task.WhenAll(commands.Select(c =>
            {
                var isKnown = redelivered || known!.Contains(c.Command.DeliveryId);
                if (!isKnown && Park(c.Command, c.Rule, now) is { } park)
                {
                    logged.Add(park.Attempt);
                    return tiers.SendAsync(context, c.Command, park.Tier, park.Wait, BusNames.SendQueue, attempts: 1, deferrals: 0, pipe: null, context.CancellationToken);
                }
                logged.Add(new DeliveryCreated(c.Command.DeliveryId, now, c.Command.EventId, c.Command.EventType, c.Command.RuleId, c.Command.TenantId));
                return endpoint.Send(c.Command, s =>
                {
                    s.UseRawJson();
                    s.SetFromCurrentSpan();
                    // Should the binding be missing (a broker that lost its definitions), fail loudly instead of dropping.
                    if (s.TryGetPayload<RabbitMqSendContext>(out var rabbit))
                        rabbit.Mandatory = true;
                    if (isKnown)
                        s.Headers.Set(SendHttpActionConsumer.KnownDeliveryHeader, true);
                }, context.CancellationToken);
            }));
        }
        foreach (var entry in logged)
            await journal.AppendAsync(entry, context.CancellationToken);
        LogMatched(e.EventId, e.Type, e.TenantId, commands.Count);
    }

    /// <summary>
    /// While the destination's circuit is open, the send consumer would only refuse the command and move it to a
    /// retry tier; the event consumer records that refused first attempt and parks the command in the tier itself,
    /// sparing the broker and the worker a round trip per delivery through <c>astra.dispatch.send</c>.
    /// </summary>
    private (AttemptRecorded Attempt, TimeSpan Tier, TimeSpan Wait)? Park(SendHttpAction c, CompiledRule rule, DateTimeOffset now)
    {
        if (!breaker.AnyOpen || breaker.Refuse(new Uri(c.Url), mayProbe: false) is not { } refused || schedule.NextDelay(rule, 1, refused.RetryAfter) is not { } next)
            return null;
        telemetry.AttemptFinished(rule.Id, refused.Name, null, null);
        telemetry.RetryScheduled(next.Tier, "retry");
        LogParked(c.DeliveryId, next.Wait);
        return (AttemptRecorded.Of(c, 1, now, refused, DeliveryStatus.Retrying, now + next.Wait), next.Tier, next.Wait);
    }

    private IReadOnlyList<CompiledRule> Candidates(ConversationEvent e)
    {
        using var match = DispatchActivities.StartMatch(e.TenantId);
        var candidates = catalog.Current.Candidates(e.TenantId, e.Type, e.AgentId);
        match?.SetTag(DispatchTelemetry.Tags.Candidates, candidates.Count);
        return candidates;
    }

    /// <summary>A template that cannot render this event's data will never render it: fail the action, visibly, once.</summary>
    private async Task FailRenderAsync(ConsumeContext context, ConversationEvent e, CompiledRule rule, string deliveryId, RenderException ex)
    {
        LogRenderFailed(rule.Id, deliveryId, ex.Message);
        var now = time.GetUtcNow();
        await journal.AppendAsync(new AttemptRecorded(deliveryId, now, e.EventId, e.Type, rule.Id, e.TenantId, 0, 0, null,
            "render-failed", ex.Message, null, DeliveryStatus.Failed, null), context.CancellationToken);
        await context.PublishResultAsync(ActionResults.RenderFailed(e, rule.Id, deliveryId, ex.Message), context.CancellationToken);
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Event {EventId} ({EventType}, tenant {TenantId}) matched {Count} rule(s)")]
    private partial void LogMatched(string eventId, string eventType, string tenantId, int count);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Debug, Message = "Delivery {DeliveryId} parked: its destination's circuit is open; first try in {Delay}")]
    private partial void LogParked(string deliveryId, TimeSpan delay);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Rule {RuleId} could not render delivery {DeliveryId}: {Reason}")]
    private partial void LogRenderFailed(string ruleId, string deliveryId, string reason);
}
