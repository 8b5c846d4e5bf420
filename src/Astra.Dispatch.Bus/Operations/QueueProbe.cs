using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Astra.Dispatch.Bus.Operations;

/// <summary>
/// Depth and consumers of queues by passive declares: no management plugin needed, and nothing is created.
/// </summary>
public sealed class QueueProbe(BrokerConnector broker)
{
    /// <summary>Each queue's state, in order; <see cref="BrokerUnavailableException"/> when the broker cannot be reached.</summary>
    public async Task<IReadOnlyList<QueueState>> ProbeAsync(IEnumerable<string> names, CancellationToken cancellationToken)
    {
        await using var connection = await broker.ConnectAsync(cancellationToken);
        var states = new List<QueueState>();
        foreach (var name in names)
            states.Add(await ProbeAsync(connection, name, cancellationToken));
        return states;
    }

    private static async Task<QueueState> ProbeAsync(IConnection connection, string name, CancellationToken cancellationToken)
    {
        // A passive declare of a missing queue closes its channel, so each probe gets its own.
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            var ok = await channel.QueueDeclarePassiveAsync(name, cancellationToken);
            return new QueueState(name, true, ok.MessageCount, ok.ConsumerCount);
        }
        catch (OperationInterruptedException)
        {
            return new QueueState(name, false, 0, 0);
        }
    }
}

/// <summary>A queue: whether it exists, its ready messages and its consumers.</summary>
public sealed record QueueState(string Name, bool Exists, uint Messages, uint Consumers);
