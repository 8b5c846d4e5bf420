using System.Globalization;

namespace Astra.Dispatch.Contracts;

/// <summary>Exchange, queue and routing-key names that publishers and consumers outside this repo rely on.</summary>
public static class BusNames
{
    /// <summary>The broker a worker or the CLI uses when <c>Dispatch:RabbitMq:Uri</c> is not set.</summary>
    public const string DefaultBrokerUri = "amqp://guest:guest@localhost:5672/";

    /// <summary>Where conversation events are published, with the event type as routing key (topic).</summary>
    public const string EventsExchange = "astra.events";

    /// <summary>The worker's queue of conversation events, bound to <see cref="EventsExchange"/>.</summary>
    public const string EventsQueue = "astra.dispatch.events";

    /// <summary>Events that are not valid (not retried).</summary>
    public const string EventsErrorQueue = "astra.dispatch.events_error";

    /// <summary>One command per matched rule; also the fanout exchange of the same name that routes to it.</summary>
    public const string SendQueue = "astra.dispatch.send";

    /// <summary>Commands that failed for good, with the fault headers of <see cref="BusHeaders"/>.</summary>
    public const string SendErrorQueue = "astra.dispatch.send_error";

    /// <summary>Results of deliveries (topic exchange).</summary>
    public const string ResultsExchange = "astra.action-results";

    /// <summary>Routing key of <see cref="ActionSucceeded"/>.</summary>
    public const string SucceededRoutingKey = "action.succeeded";

    /// <summary>Routing key of <see cref="ActionFailed"/>.</summary>
    public const string FailedRoutingKey = "action.failed";

    /// <summary>Routing key of <see cref="RulePaused"/>.</summary>
    public const string RulePausedRoutingKey = "rule.paused";

    /// <summary>The prefix of every delay-tier queue (and its exchange).</summary>
    public const string DelayQueuePrefix = "astra.dispatch.delay.";

    /// <summary>
    /// The delay-tier queue of a whole number of seconds: <c>astra.dispatch.delay.5s</c>, <c>…5m</c>, <c>…2h</c>, <c>…1d</c>.
    /// The name is exact (a unit is used only when the delay is a whole number of it), so one name never stands for two
    /// different TTLs: the broker would refuse the second declaration.
    /// </summary>
    public static string DelayQueue(TimeSpan tier)
    {
        var seconds = (long)tier.TotalSeconds;
        if (seconds < 1 || TimeSpan.FromSeconds(seconds) != tier)
            throw new ArgumentOutOfRangeException(nameof(tier), tier, "a delay tier is a whole number of seconds, at least 1");
        var name = seconds switch
        {
            _ when seconds % 86_400 == 0 => $"{seconds / 86_400}d",
            _ when seconds % 3_600 == 0 => $"{seconds / 3_600}h",
            _ when seconds % 60 == 0 => $"{seconds / 60}m",
            _ => $"{seconds}s",
        };
        return DelayQueuePrefix + name.ToString(CultureInfo.InvariantCulture);
    }
}
