using System.Collections.Concurrent;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Telemetry;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Astra.Dispatch.Bus.Redelivery;

/// <summary>
/// The TTL wait queues that stand in for the missing delayed-message plugin: one durable queue per distinct
/// delay (<see cref="BusNames.DelayQueue"/>), dead-lettering through the default exchange back to the queue named
/// by the message's routing key. Expiry only happens at a queue's head, so one queue never mixes delays.
/// Tiers are declared before use, including for schedules of rules added at runtime.
/// <para>
/// A tier the broker refuses to declare (a queue of that name with another TTL: 406 PRECONDITION_FAILED; a missing
/// permission) is logged once, counted, and reported unavailable (<see cref="IDelayTierAvailability"/>), so the
/// deliveries that need it fail with a clear error instead of the worker failing; it is tried again after
/// <see cref="RecheckAfter"/>, so an operator's fix is picked up without a restart.
/// </para>
/// </summary>
internal sealed partial class DelayTiers(IOptions<RabbitMqOptions> options, DispatchTelemetry telemetry, TimeProvider time, ILogger<DelayTiers> logger)
    : IDelayTierAvailability, IAsyncDisposable
{
    /// <summary>Messages carry a jittered expiration up to this factor of the tier; the queue TTL caps it.</summary>
    public const double MaxStretch = 1.5;

    /// <summary>How long a refused tier is reported unavailable before it is declared again.</summary>
    public static readonly TimeSpan RecheckAfter = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<TimeSpan, Task> _declared = new();
    private readonly ConcurrentDictionary<TimeSpan, DateTimeOffset> _refused = new();
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private IConnection? _connection;

    public IEnumerable<TimeSpan> Declared => _declared.Where(d => d.Value.IsCompletedSuccessfully).Select(d => d.Key).Order();

    /// <summary>The tiers the broker refused, for now.</summary>
    public IEnumerable<TimeSpan> Refused => _refused.Keys.Order();

    public Task EnsureAsync(TimeSpan tier, CancellationToken cancellationToken)
    {
        var task = _declared.GetOrAdd(tier, t => DeclareAsync(t, cancellationToken));
        if (task.IsFaulted || task.IsCanceled)
        {
            // A failed declaration (broker down, or refused) must be retried next time, not cached.
            _declared.TryRemove(new KeyValuePair<TimeSpan, Task>(tier, task));
        }
        return task;
    }

    /// <summary>Declares every tier that the broker accepts; a refused one is logged and reported, never thrown.</summary>
    public async Task EnsureAllAsync(IEnumerable<TimeSpan> tiers, CancellationToken cancellationToken)
    {
        foreach (var tier in tiers.Distinct())
            await IsAvailableAsync(tier, cancellationToken);
    }

    public async ValueTask<bool> IsAvailableAsync(TimeSpan tier, CancellationToken cancellationToken)
    {
        if (IsKnownUnavailable(tier))
            return false;
        try
        {
            await EnsureAsync(tier, cancellationToken);
        }
        catch (DelayTierRefusedException)
        {
            return false;
        }
        if (_refused.TryRemove(tier, out _))
            LogTierAccepted(tier);
        return true;
    }

    public bool IsKnownUnavailable(TimeSpan tier) => _refused.TryGetValue(tier, out var since) && time.GetUtcNow() - since < RecheckAfter;

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

    private async Task DeclareAsync(TimeSpan tier, CancellationToken cancellationToken)
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
        var name = BusNames.DelayQueue(tier);
        try
        {
            await DeclareBoundQueueAsync(name, arguments, cancellationToken);
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason is { ReplyCode: Constants.PreconditionFailed or Constants.AccessRefused or Constants.ResourceLocked or Constants.NotAllowed } reason)
        {
            // The channel is closed by the refusal; the connection, and every other tier, carry on.
            if (_refused.TryAdd(tier, time.GetUtcNow()))
            {
                LogTierRefused(name, reason.ReplyCode, reason.ReplyText);
                telemetry.DelayTierRefused(tier);
            }
            else
            {
                _refused[tier] = time.GetUtcNow();
            }
            throw new DelayTierRefusedException(name, ex);
        }
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

    [LoggerMessage(EventId = 4001, Level = LogLevel.Error,
        Message = "The broker refused to declare the delay tier {Queue} ({ReplyCode} {ReplyText}); deliveries that need this delay fail instead of waiting in it. Delete or fix that queue; the tier is tried again within a minute")]
    private partial void LogTierRefused(string queue, ushort replyCode, string replyText);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "The delay tier of {Tier} is declared again and in use")]
    private partial void LogTierAccepted(TimeSpan tier);
}

/// <summary>The broker refused to declare a delay tier's queue (see <see cref="DelayTiers"/>).</summary>
internal sealed class DelayTierRefusedException(string queue, Exception inner)
    : Exception($"the broker refused to declare the delay tier {queue}", inner);
