using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Astra.Dispatch.Testing;

/// <summary>
/// Plain RabbitMQ.Client access for tests that act like a non-.NET publisher: raw bodies, persistent,
/// <c>application/json</c>, publisher confirms (a publish returns once the broker has the message).
/// </summary>
public sealed class RawAmqp : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private readonly IChannel publisher;
    private readonly SemaphoreSlim publishing = new(1, 1);

    private RawAmqp(IConnection connection, IChannel publisher)
    {
        Connection = connection;
        this.publisher = publisher;
    }

    public IConnection Connection { get; }

    public static async Task<RawAmqp> ConnectAsync(Uri amqpUri, CancellationToken cancellationToken = default)
    {
        var factory = new ConnectionFactory { Uri = amqpUri, AutomaticRecoveryEnabled = false };
        var connection = await factory.CreateConnectionAsync("astra-tests-raw", cancellationToken);
        try
        {
            var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
                cancellationToken);
            return new RawAmqp(connection, channel);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public static Task<RawAmqp> ConnectAsync(RabbitMqBroker broker, CancellationToken cancellationToken = default) =>
        ConnectAsync(broker.AmqpUri, cancellationToken);

    /// <summary>Publishes persistent bytes and waits for the broker's confirm. With <c>mandatory</c> an unroutable message fails the call instead of being dropped.</summary>
    public async Task PublishAsync(
        string exchange,
        string routingKey,
        ReadOnlyMemory<byte> body,
        IReadOnlyDictionary<string, object?>? headers = null,
        string? contentType = "application/json",
        string? messageId = null,
        bool mandatory = false,
        string? userId = null,
        CancellationToken cancellationToken = default)
    {
        var properties = new BasicProperties
        {
            Persistent = true,
            ContentType = contentType,
            MessageId = messageId,
            UserId = userId,
            Timestamp = new AmqpTimestamp(DateTimeOffset.UtcNow.ToUnixTimeSeconds()),
            Headers = headers is null ? null : new Dictionary<string, object?>(headers),
        };
        await publishing.WaitAsync(cancellationToken);
        try
        {
            await publisher.BasicPublishAsync(exchange, routingKey, mandatory, properties, body, cancellationToken);
        }
        finally
        {
            publishing.Release();
        }
    }

    /// <summary>
    /// Publishes <paramref name="text"/> as UTF-8 as is (also for deliberately invalid JSON); with <paramref name="userId"/>
    /// as its AMQP <c>user_id</c> (RabbitMQ closes the channel unless it is the connection's own user).
    /// </summary>
    public Task PublishTextAsync(string exchange, string routingKey, string text, IReadOnlyDictionary<string, object?>? headers = null, bool mandatory = false,
        string? userId = null, CancellationToken cancellationToken = default) =>
        PublishAsync(exchange, routingKey, Encoding.UTF8.GetBytes(text), headers, mandatory: mandatory, userId: userId, cancellationToken: cancellationToken);

    /// <summary>Serializes <paramref name="value"/> with web defaults (camelCase) and publishes it.</summary>
    public Task PublishJsonAsync<T>(string exchange, string routingKey, T value, IReadOnlyDictionary<string, object?>? headers = null, bool mandatory = false, CancellationToken cancellationToken = default) =>
        PublishAsync(exchange, routingKey, JsonSerializer.SerializeToUtf8Bytes(value, Web), headers, mandatory: mandatory, cancellationToken: cancellationToken);

    /// <summary>Declares a durable topic exchange (no-op when it exists with the same settings).</summary>
    public async Task DeclareTopicExchangeAsync(string exchange, CancellationToken cancellationToken = default)
    {
        await using var channel = await Connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: cancellationToken);
    }

    /// <summary>Takes one message off the queue (basic.get), or null when it is empty. <c>remove: false</c> leaves it there (it comes back marked redelivered).</summary>
    /// <exception cref="QueueNotFoundException">The queue does not exist.</exception>
    public async Task<AmqpMessage?> GetAsync(string queue, bool remove = true, CancellationToken cancellationToken = default)
    {
        var got = await GetAllAsync(queue, max: 1, remove, cancellationToken);
        return got.Count == 0 ? null : got[0];
    }

    /// <summary>Reads up to <c>max</c> messages from the queue, e.g. an error queue. <c>remove: false</c> returns them afterwards (unacked, requeued when the channel closes).</summary>
    /// <exception cref="QueueNotFoundException">The queue does not exist.</exception>
    public async Task<IReadOnlyList<AmqpMessage>> GetAllAsync(string queue, int max = 10_000, bool remove = true, CancellationToken cancellationToken = default)
    {
        var result = new List<AmqpMessage>();
        await using var channel = await Connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            while (result.Count < max && await channel.BasicGetAsync(queue, autoAck: remove, cancellationToken) is { } got)
            {
                result.Add(AmqpMessage.From(got.Exchange, got.RoutingKey, got.Redelivered, got.BasicProperties, got.Body));
            }
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            throw new QueueNotFoundException(queue, Connection.Endpoint.ToString(), ex);
        }

        return result;
    }

    /// <summary>
    /// As <see cref="GetAllAsync"/>, but a queue not there yet reads as empty, for callers that poll until a deadline:
    /// not declared yet (e.g. an error queue before its first fault), or declared as a quorum queue whose process has
    /// not started yet (the broker answers <c>541 ... noproc</c>).
    /// </summary>
    public async Task<IReadOnlyList<AmqpMessage>> GetAllIfAnyAsync(string queue, bool remove = true, CancellationToken cancellationToken = default)
    {
        try
        {
            return await GetAllAsync(queue, remove: remove, cancellationToken: cancellationToken);
        }
        catch (QueueNotFoundException)
        {
            return [];
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason is { ReplyCode: 541, ReplyText: var text } && text.Contains("noproc", StringComparison.Ordinal))
        {
            return [];
        }
    }

    /// <summary>Starts a <see cref="QueueTap"/> on this connection.</summary>
    public Task<QueueTap> TapAsync(string exchange, string routingKey = "#", bool declareTopicExchange = true, CancellationToken cancellationToken = default) =>
        QueueTap.StartAsync(Connection, ownsConnection: false, exchange, routingKey, declareTopicExchange, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await publisher.DisposeAsync();
            await Connection.DisposeAsync();
        }
        catch (Exception ex) when (ex is IOException or AlreadyClosedException)
        {
            // The broker may be gone (restart tests).
        }

        publishing.Dispose();
    }
}
