namespace Astra.Dispatch.Contracts;

/// <summary>AMQP header names the worker writes and reads; MassTransit's fault headers are listed for readers of dead letters.</summary>
public static class BusHeaders
{
    /// <summary>Every header of the worker's own starts with this.</summary>
    public const string Prefix = "astra-";

    /// <summary>MassTransit's fault headers start with this.</summary>
    public const string FaultPrefix = "MT-Fault-";

    /// <summary>MassTransit's count of scheduled redeliveries.</summary>
    public const string RedeliveryCount = "MT-Redelivery-Count";

    /// <summary>Attempts made so far: on a command back from a delay tier, and on a dead-lettered command.</summary>
    public const string Attempts = "astra-attempts";

    /// <summary>How many times in a row a command was deferred (not attempted: rate limit, busy destination).</summary>
    public const string Deferrals = "astra-deferrals";

    /// <summary>Set on a command whose delivery was already in the log when its event arrived (a republished event).</summary>
    public const string KnownDelivery = "astra-known-delivery";

    /// <summary>The delivery id, on dead-lettered commands.</summary>
    public const string DeliveryId = "astra-delivery-id";

    /// <summary>The rule id, on dead-lettered commands.</summary>
    public const string RuleId = "astra-rule-id";

    /// <summary>The last HTTP status, on dead-lettered commands.</summary>
    public const string LastStatus = "astra-last-status";

    /// <summary>Why the message was dead-lettered.</summary>
    public const string LastError = "astra-last-error";

    /// <summary>
    /// The broker user that published a dead-lettered event (its AMQP <c>user_id</c>, which the worker removes when it
    /// moves the event to <c>astra.dispatch.events_error</c>: RabbitMQ lets no one else publish under that user).
    /// </summary>
    public const string Publisher = "astra-publisher";

    /// <summary>The tenant, on result events (so a consumer can filter by tenant without reading the body).</summary>
    public const string TenantId = "astra-tenant-id";

    /// <summary>The agent, on result events that have one.</summary>
    public const string AgentId = "astra-agent-id";

    /// <summary>W3C trace context (publishers set it; the worker writes it on everything it sends).</summary>
    public const string TraceParent = "traceparent";

    /// <summary>W3C trace state, beside <see cref="TraceParent"/>.</summary>
    public const string TraceState = "tracestate";

    /// <summary>MassTransit's fault reason on a dead letter.</summary>
    public const string FaultMessage = "MT-Fault-Message";

    /// <summary>MassTransit's fault time on a dead letter.</summary>
    public const string FaultTimestamp = "MT-Fault-Timestamp";

    /// <summary>MassTransit's stack trace on a dead letter (not shown to people).</summary>
    public const string FaultStackTrace = "MT-Fault-StackTrace";

    /// <summary>MassTransit's reason on a message moved to an error queue without an exception.</summary>
    public const string Reason = "MT-Reason";
}
