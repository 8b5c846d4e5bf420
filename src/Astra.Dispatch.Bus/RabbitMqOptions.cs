using Astra.Dispatch.Contracts;

namespace Astra.Dispatch.Bus;

/// <summary>The <c>Dispatch:RabbitMq</c> section: the broker and the consumer tuning that sets throughput.</summary>
internal sealed class RabbitMqOptions
{
    public const string Section = "Dispatch:RabbitMq";

    public Uri Uri { get; set; } = new(BusNames.DefaultBrokerUri);

    /// <summary>Unacknowledged events held by one worker (basic.qos) on <c>astra.dispatch.events</c>.</summary>
    public ushort EventsPrefetch { get; set; } = 128;

    /// <summary>Events processed at once by one worker.</summary>
    public int EventsConcurrency { get; set; } = 32;

    /// <summary>Unacknowledged send commands held by one worker on <c>astra.dispatch.send</c>.</summary>
    public ushort SendPrefetch { get; set; } = 256;

    /// <summary>HTTP actions in flight at once in one worker (I/O bound, so well above the core count).</summary>
    public int SendConcurrency { get; set; } = 128;

    /// <summary>Declare Astra's own queues (delay tiers included) as quorum queues, for a RabbitMQ cluster.</summary>
    public bool QuorumQueues { get; set; }

    /// <summary>How often a worker counts the workers on <c>astra.dispatch.send</c>, to take its share of each rule's rate limit.</summary>
    public TimeSpan ConsumerCountInterval { get; set; } = TimeSpan.FromSeconds(5);
}
