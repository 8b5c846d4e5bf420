using Astra.Dispatch.Testing;

namespace Astra.Dispatch.IntegrationTests.Durability;

/// <summary>
/// A broker node of its own for the fault tests: they stop and restart it and run worker processes on the
/// contract queues, so they must not share a node with the other integration tests.
/// </summary>
public sealed class DurabilityBroker : IAsyncLifetime
{
    public RabbitMqBroker Broker { get; private set; } = null!;

    public async Task InitializeAsync() => Broker = await SharedBroker.StartDedicatedAsync();

    public async Task DisposeAsync() => await Broker.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class DurabilityCollection : ICollectionFixture<DurabilityBroker>
{
    public const string Name = "durability";
}
