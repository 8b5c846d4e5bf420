using Astra.Dispatch.Contracts;
using Astra.Dispatch.Testing;

namespace Astra.Dispatch.IntegrationTests.Durability;

/// <summary>
/// A broker node of its own for the resilience tests: they stop and restart it and run worker processes on the
/// contract queues, so they must not share a node with the other integration tests.
/// </summary>
public sealed class DurabilityBroker : IAsyncLifetime
{
    public RabbitMqBroker Broker { get; private set; } = null!;

    public async Task InitializeAsync() => Broker = await SharedBroker.StartDedicatedAsync();

    public async Task DisposeAsync() => await Broker.DisposeAsync();

    /// <summary>Drops what an earlier test left behind (requeued commands, retries still waiting in the tiers).</summary>
    public async Task PurgeDispatchQueuesAsync()
    {
        string[] queues =
        [
            BusNames.EventsQueue, BusNames.SendQueue, BusNames.EventsErrorQueue, BusNames.SendErrorQueue,
            .. new[] { 1, 2, 3, 4 }.Select(s => BusNames.DelayQueue(TimeSpan.FromSeconds(s))),
        ];
        foreach (var queue in queues)
        {
            if (await Broker.QueueExistsAsync(queue))
                await Broker.PurgeAsync(queue);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DurabilityCollection : ICollectionFixture<DurabilityBroker>
{
    public const string Name = "durability";
}
