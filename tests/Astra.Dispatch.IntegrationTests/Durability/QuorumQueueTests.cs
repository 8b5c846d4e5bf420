using Astra.Dispatch.Bus.Redelivery;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.IntegrationTests.Support;
using Astra.Dispatch.Testing;

namespace Astra.Dispatch.IntegrationTests.Durability;

/// <summary>
/// <c>Dispatch:RabbitMq:QuorumQueues</c>, for a RabbitMQ cluster: the worker's queues and its delay tiers are
/// declared as quorum queues, and a retry still waits out its tier and comes back (message TTL and dead-lettering
/// on a quorum queue need RabbitMQ 3.10 or later).
/// </summary>
public sealed class QuorumQueueTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly string _tenant = Some.Tenant();
    private RabbitMqBroker _broker = null!;
    private Uri _vhost = null!;
    private HttpReceiver _receiver = null!;
    private RawAmqp _amqp = null!;
    private QueueTap _results = null!;

    public async Task InitializeAsync()
    {
        _broker = await SharedBroker.GetAsync();
        _vhost = await _broker.CreateVirtualHostAsync(_tenant);
        _receiver = await HttpReceiver.StartAsync();
        _amqp = await RawAmqp.ConnectAsync(_vhost);
        _results = await QueueTap.ActionResultsAsync(_vhost);
    }

    public async Task DisposeAsync()
    {
        await _results.DisposeAsync();
        await _amqp.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task QuorumQueues_TransientFailureThenSuccess_RetriedThroughAQuorumTierAndDelivered()
    {
        _receiver.RespondInSequence(ReceiverResponse.Status(503), ReceiverResponse.Ok());
        await using var worker = await WorkerHost.StartAsync(_vhost, Some.Rule("quorum-retry", _tenant, _receiver.UrlFor("hooks/quorum")),
            new Dictionary<string, string?> { ["Dispatch:RabbitMq:QuorumQueues"] = "true" });

        await _amqp.PublishEventAsync(_tenant, "evt-quorum");

        var succeeded = await _results.WaitForAsync(m => m.RoutingKey == BusNames.SucceededRoutingKey && m.Json().GetProperty("tenantId").GetString() == _tenant, Wait);
        Assert.Equal(2, succeeded.Json().GetProperty("attempts").GetInt32());
        Assert.Equal(2, _receiver.Requests.Count);
        var types = await _broker.QueueTypesAsync(_tenant);
        foreach (var queue in new[] { BusNames.EventsQueue, BusNames.SendQueue, DelayTiers.QueueName(TimeSpan.FromSeconds(1)) })
            Assert.True(types.TryGetValue(queue, out var type) && type == "quorum", $"{queue}: {type ?? "missing"} ({string.Join(", ", types)})");
    }
}
