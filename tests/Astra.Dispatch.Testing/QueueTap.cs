using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Astra.Dispatch.Testing;

/// <summary>
/// A temporary exclusive queue bound to an exchange that records every message routed to it, e.g. the
/// outcomes on <c>astra.action-results</c>. Created before the action under test so nothing is missed.
/// The queue disappears with the connection (and with a broker restart).
/// </summary>
public sealed class QueueTap : IAsyncDisposable
{
    public const string ActionResultsExchange = "astra.action-results";

    private readonly Observed<AmqpMessage> messages = new("message(s)", m => m.ToString());
    private readonly IConnection connection;
    private readonly bool ownsConnection;
    private IChannel? channel;

    private QueueTap(IConnection connection, bool ownsConnection, string exchange, string routingKey)
    {
        this.connection = connection;
        this.ownsConnection = ownsConnection;
        Exchange = exchange;
        RoutingKey = routingKey;
    }

    public string Exchange { get; }

    public string RoutingKey { get; }

    public string QueueName { get; private set; } = string.Empty;

    public IReadOnlyList<AmqpMessage> Messages => messages.Snapshot();

    /// <summary>Taps <paramref name="exchange"/> with its own connection. The exchange is declared durable topic when <paramref name="declareTopicExchange"/> (a no-op when it already exists that way), else it must exist.</summary>
    public static async Task<QueueTap> StartAsync(Uri amqpUri, string exchange, string routingKey = "#", bool declareTopicExchange = true, CancellationToken cancellationToken = default)
    {
        var connection = await new ConnectionFactory { Uri = amqpUri, AutomaticRecoveryEnabled = false }.CreateConnectionAsync("astra-tests-tap", cancellationToken);
        try
        {
            return await StartAsync(connection, ownsConnection: true, exchange, routingKey, declareTopicExchange, cancellationToken);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Taps <c>astra.action-results</c> (routing keys action.succeeded / action.failed).</summary>
    public static Task<QueueTap> ActionResultsAsync(Uri amqpUri, string routingKey = "#", CancellationToken cancellationToken = default) =>
        StartAsync(amqpUri, ActionResultsExchange, routingKey, declareTopicExchange: true, cancellationToken);

    public Task<AmqpMessage> WaitForAsync(Func<AmqpMessage, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        messages.WaitForAsync(predicate, timeout, $"a matching message on {Exchange} ({RoutingKey})", cancellationToken);

    public Task<AmqpMessage> WaitForRoutingKeyAsync(string routingKey, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        messages.WaitForAsync(m => m.RoutingKey == routingKey, timeout, $"a message with routing key '{routingKey}' on {Exchange}", cancellationToken);

    public Task<IReadOnlyList<AmqpMessage>> WaitForCountAsync(int count, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        messages.WaitForCountAsync(count, timeout, cancellationToken);

    public void Clear() => messages.Clear();

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (channel is not null)
            {
                await channel.DisposeAsync();
            }

            if (ownsConnection)
            {
                await connection.DisposeAsync();
            }
        }
        catch (Exception ex) when (ex is IOException or RabbitMQ.Client.Exceptions.AlreadyClosedException)
        {
            // The broker may be gone (restart tests).
        }
    }

    internal static async Task<QueueTap> StartAsync(IConnection connection, bool ownsConnection, string exchange, string routingKey, bool declareTopicExchange, CancellationToken cancellationToken)
    {
        var tap = new QueueTap(connection, ownsConnection, exchange, routingKey);
        await tap.BindAsync(declareTopicExchange, cancellationToken);
        return tap;
    }

    private async Task BindAsync(bool declareTopicExchange, CancellationToken cancellationToken)
    {
        channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        if (declareTopicExchange)
        {
            await channel.ExchangeDeclareAsync(Exchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        }
        else
        {
            await channel.ExchangeDeclarePassiveAsync(Exchange, cancellationToken);
        }

        var queue = await channel.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: true, cancellationToken: cancellationToken);
        QueueName = queue.QueueName;
        await channel.QueueBindAsync(QueueName, Exchange, RoutingKey, cancellationToken: cancellationToken);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            messages.Add(AmqpMessage.From(delivery.Exchange, delivery.RoutingKey, delivery.Redelivered, delivery.BasicProperties, delivery.Body));
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(QueueName, autoAck: true, consumer, cancellationToken);
    }
}
