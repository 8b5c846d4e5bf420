using System.Collections.Concurrent;
using Astra.Dispatch.Contracts;
using MassTransit;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace Astra.Dispatch.Bus.Redelivery;

/// <summary>
/// The TTL wait queues that stand in for the missing delayed-message plugin: one durable queue per distinct
/// delay (<see cref="BusNames.DelayQueue"/>), dead-lettering through the default exchange back to the queue named
/// by the message's routing key. Expiry only happens at a queue's head, so one queue never mixes delays.
/// Tiers are declared before use, including for schedules of rules added at runtime.
/// </summary>
internal sealed class DelayTiers(IOptions<RabbitMqOptions> options) : IAsyncDisposable
{
    /// <summary>Messages carry a jittered expiration up to this factor of the tier; the queue TTL caps it.</summary>
    public const double MaxStretch = 1.5;

    private readonly ConcurrentDictionary<TimeSpan, Task> _declared = new();
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private IConnection? _connection;

    public IEnumerable<TimeSpan> Declared => _declared.Keys.Order();

    public Task EnsureAsync(TimeSpan tier, CancellationToken cancellationToken)
    {
        var task = _declared.GetOrAdd(tier, t => DeclareAsync(t, cancellationToken));
        if (task.IsFaulted || task.IsCanceled)
        {
            // A failed declaration (broker down) must be retried next time, not cached.
            _declared.TryRemove(new KeyValuePair<TimeSpan, Task>(tier, task));
        }
        return task;
    }

    public async Task EnsureAllAsync(IEnumerable<TimeSpan> tiers, CancellationToken cancellationToken)
    {
        foreach (var tier in tiers.Distinct())
            await EnsureAsync(tier, cancellationToken);
    }

    /// <summary>Sends the command being consumed back to its queue through <paramref name="tier"/>, after <paramref name="wait"/>.</summary>
    public Task RedeliverAsync<T>(ConsumeContext<T> context, TimeSpan tier, TimeSpan wait, int attempts, int deferrals, CancellationToken cancellationToken)
        where T : class =>
        SendAsync(context, context.Message, tier, wait, context.ReceiveContext.InputAddress.AbsolutePath.Split('/')[^1], attempts, deferrals, cancellationToken);

    /// <summary>Parks a new command in <paramref name="tier"/>: its first attempt was refused (circuit open) and counts as made.</summary>
    public Task ParkAsync(ISendEndpointProvider sender, SendHttpAction command, TimeSpan tier, TimeSpan wait, CancellationToken cancellationToken) =>
        SendAsync(sender, command, tier, wait, BusNames.SendQueue, attempts: 1, deferrals: 0, cancellationToken);

    /// <summary>
    /// Publishes <paramref name="message"/> (mandatory, confirmed, plain JSON) to <paramref name="tier"/>'s exchange to
    /// expire after <paramref name="wait"/> and be dead-lettered back to <paramref name="queue"/>, with the attempt and
    /// deferral headers and the current span's trace context.
    /// </summary>
    private async Task SendAsync<T>(ISendEndpointProvider sender, T message, TimeSpan tier, TimeSpan wait, string queue, int attempts, int deferrals,
        CancellationToken cancellationToken)
        where T : class
    {
        await EnsureAsync(tier, cancellationToken);
        var endpoint = await sender.GetSendEndpoint(new Uri($"exchange:{BusNames.DelayQueue(tier)}"));
        await endpoint.Send(message, send =>
        {
            send.UseRawJson();
            send.SetFromCurrentSpan();
            send.Headers.Set(BusHeaders.Attempts, attempts);
            send.Headers.Set(BusHeaders.Deferrals, deferrals);
            send.TimeToLive = wait;
            if (send.TryGetPayload<RabbitMqSendContext>(out var rabbit))
            {
                // The default exchange routes the dead-lettered copy by this key, i.e. back to the consumer's queue.
                rabbit.RoutingKey = queue;
                // A missing tier queue must fail loudly (NO_ROUTE), never drop the message.
                rabbit.Mandatory = true;
            }
        }, cancellationToken);
    }

    /// <summary>
    /// Declares the command queue as its receive endpoint does (a quorum queue when configured), its fanout exchange
    /// and the binding: the queue the tiers dead-letter into, and the exchange the event consumer sends commands to.
    /// </summary>
    public Task DeclareSendQueueAsync(CancellationToken cancellationToken) =>
        DeclareBoundQueueAsync(BusNames.SendQueue, options.Value.QuorumQueues ? new Dictionary<string, object?> { ["x-queue-type"] = "quorum" } : null,
            cancellationToken);

    private Task DeclareAsync(TimeSpan tier, CancellationToken cancellationToken)
    {
        var arguments = new Dictionary<string, object?>
        {
            ["x-message-ttl"] = (long)(tier.TotalMilliseconds * MaxStretch),
            ["x-dead-letter-exchange"] = "",
        };
        if (options.Value.QuorumQueues)
        {
            arguments["x-queue-type"] = "quorum";
            arguments["x-dead-letter-strategy"] = "at-least-once";
            arguments["x-overflow"] = "reject-publish";
        }
        return DeclareBoundQueueAsync(BusNames.DelayQueue(tier), arguments, cancellationToken);
    }

    /// <summary>A durable queue and a durable fanout exchange of the same name, bound (MassTransit's shape for an endpoint).</summary>
    private async Task DeclareBoundQueueAsync(string name, IDictionary<string, object?>? arguments, CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await channel.ExchangeDeclareAsync(name, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false, arguments, cancellationToken: cancellationToken);
        await channel.QueueBindAsync(name, name, "", cancellationToken: cancellationToken);
    }

    private async Task<IConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        await _connectLock.WaitAsync(cancellationToken);
        try
        {
            if (_connection is { IsOpen: true })
                return _connection;
            if (_connection is not null)
                await _connection.DisposeAsync();
            var factory = new ConnectionFactory { Uri = options.Value.Uri, ClientProvidedName = "astra-dispatch-topology" };
            _connection = await factory.CreateConnectionAsync(cancellationToken);
            return _connection;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
            await _connection.DisposeAsync();
        _connectLock.Dispose();
    }
}
