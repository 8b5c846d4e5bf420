namespace Astra.Dispatch.Testing;

/// <summary>Settings every test and benchmark broker runs with, whatever starts it.</summary>
internal static class BrokerSettings
{
    /// <summary>
    /// Classic queues on storage version 2, as RabbitMQ 3.13 recommends for new deployments, 4.2 makes the default
    /// and 4.3 the only one (3.10–4.1 default to version 1; see README, Operations). Given as an Erlang application
    /// setting rather than <c>classic_queue.default_version</c> in rabbitmq.conf: brokers that do not know it ignore
    /// it instead of refusing to boot.
    /// </summary>
    public const string ClassicQueueVersion2ErlArgs = "-rabbit classic_queue_default_version 2";
}
