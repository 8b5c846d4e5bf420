namespace Astra.Dispatch.Contracts;

/// <summary>Exchange, queue and routing-key names that publishers and consumers outside this repo rely on.</summary>
public static class BusNames
{
    public const string EventsExchange = "astra.events";
    public const string EventsQueue = "astra.dispatch.events";
    public const string EventsErrorQueue = "astra.dispatch.events_error";
    public const string SendQueue = "astra.dispatch.send";
    public const string SendErrorQueue = "astra.dispatch.send_error";
    public const string ResultsExchange = "astra.action-results";
    public const string SucceededRoutingKey = "action.succeeded";
    public const string FailedRoutingKey = "action.failed";
    public const string RulePausedRoutingKey = "rule.paused";
}
