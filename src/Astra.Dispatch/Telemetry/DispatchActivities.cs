using System.Diagnostics;
using Tags = Astra.Dispatch.Telemetry.DispatchTelemetry.Tags;

namespace Astra.Dispatch.Telemetry;

/// <summary>The spans of <see cref="DispatchTelemetry.Source"/>, named after the OTel messaging conventions.</summary>
public static class DispatchActivities
{

    /// <summary>
    /// The span of one conversation event. MassTransit continues its own envelope's trace (<c>MT-Activity-Id</c>) but
    /// not a W3C <c>traceparent</c> transport header, which raw-JSON publishers (amqplib, pika) set: when that header
    /// names another trace than the current one, this span continues the publisher's trace and links MassTransit's.
    /// </summary>
    public static Activity? StartEvent(string? traceParent, string? traceState, string tenantId, string eventType, string eventId)
    {
        var current = Activity.Current;
        Activity? activity;
        if (traceParent is not null && ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var parent)
            && parent.TraceId != current?.TraceId)
        {
            ActivityLink[]? links = current is null ? null : [new ActivityLink(current.Context)];
            activity = DispatchTelemetry.Source.StartActivity(ActivityKind.Consumer, parent, links: links, name: "astra.events process");
        }
        else
        {
            activity = DispatchTelemetry.Source.StartActivity("astra.events process", current is null ? ActivityKind.Consumer : ActivityKind.Internal);
        }
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", "rabbitmq");
            activity.SetTag("messaging.operation.type", "process");
            activity.SetTag("messaging.destination.name", "astra.events");
            activity.SetTag(Tags.Tenant, tenantId);
            activity.SetTag(Tags.EventType, eventType);
            activity.SetTag(Tags.EventId, eventId);
        }
        return activity;
    }

    /// <summary>The span of matching an event against the rules.</summary>
    public static Activity? StartMatch(string tenantId) =>
        DispatchTelemetry.Source.StartActivity("match rules")?.SetTag(Tags.Tenant, tenantId);

    /// <summary>The span of rendering one rule's request.</summary>
    public static Activity? StartRender(string ruleId, string deliveryId) =>
        DispatchTelemetry.Source.StartActivity("render")?.SetTag(Tags.Rule, ruleId).SetTag(Tags.DeliveryId, deliveryId);

    /// <summary>The span of sending an event's commands.</summary>
    public static Activity? StartSendCommands(int count) =>
        DispatchTelemetry.Source.StartActivity("astra.dispatch.send publish", ActivityKind.Producer)?
            .SetTag("messaging.system", "rabbitmq").SetTag("messaging.operation.type", "send")
            .SetTag("messaging.destination.name", "astra.dispatch.send").SetTag("messaging.batch.message_count", count);

    /// <summary>
    /// One attempt of one delivery; the HTTP client span is its child. Under MassTransit's consume span when it builds
    /// one; otherwise the command's <paramref name="traceParent"/> header continues the trace (RabbitMQ.Client writes
    /// the current span there on every publish, so the event consumer's span sent it).
    /// </summary>
    public static Activity? StartDeliver(string tenantId, string ruleId, string deliveryId, int attempt, string? traceParent)
    {
        var activity = Activity.Current is null && traceParent is not null && ActivityContext.TryParse(traceParent, null, isRemote: true, out var parent)
            ? DispatchTelemetry.Source.StartActivity(ActivityKind.Consumer, parent, name: "deliver")
            : DispatchTelemetry.Source.StartActivity("deliver");
        return activity?.SetTag(Tags.Tenant, tenantId).SetTag(Tags.Rule, ruleId).SetTag(Tags.DeliveryId, deliveryId).SetTag(Tags.Attempt, attempt);
    }

    /// <summary>Records an attempt's result on the current deliver span: status and outcome, never the body.</summary>
    public static void SetOutcome(this Activity? activity, string outcome, int? statusCode, string? error)
    {
        if (activity is null)
            return;
        activity.SetTag(Tags.Outcome, outcome);
        if (statusCode is { } status)
            activity.SetTag(Tags.HttpStatus, status);
        if (outcome != "succeeded")
            activity.SetStatus(ActivityStatusCode.Error, error);
    }
}
