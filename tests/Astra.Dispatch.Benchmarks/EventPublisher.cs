using System.Diagnostics;
using System.Globalization;
using System.Text;
using RabbitMQ.Client;

namespace Astra.Dispatch.Benchmarks;

/// <summary>
/// Publishes ~1 KiB persistent JSON events to a topic exchange (routing key = type) with publisher confirms,
/// pipelined: up to <see cref="Window"/> confirms outstanding. Each body carries <c>data.sentAt</c> (unix ms, to the microsecond).
/// </summary>
internal sealed class EventPublisher(IConnection connection, string exchange, string runId) : IAsyncDisposable
{
    public const string EventType = "lead.captured";
    private const int Window = 500;
    private static readonly string Padding = new('x', 700);

    private IChannel? _channel;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        _channel = await connection.CreateChannelAsync(new CreateChannelOptions(
            publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true,
            outstandingPublisherConfirmationsRateLimiter: new ThrottlingRateLimiter(Window * 2)), cancellationToken);
        await _channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: true, cancellationToken: cancellationToken);
    }

    public static string TenantOf(int index, int tenants) => $"t{index % tenants:D3}";

    /// <summary>Publishes <paramref name="count"/> events as fast as confirms allow.</summary>
    public async Task PublishAsync(int count, int tenants, CancellationToken cancellationToken)
    {
        var pending = new Queue<Task>(Window);
        for (var i = 0; i < count; i++)
        {
            if (pending.Count >= Window)
                await pending.Dequeue();
            pending.Enqueue(PublishOneAsync(i, tenants, cancellationToken));
        }
        await Task.WhenAll(pending);
    }

    /// <summary>Publishes <paramref name="count"/> events at <paramref name="perSecond"/>, evenly spread.</summary>
    public async Task PublishPacedAsync(int count, double perSecond, int tenants, CancellationToken cancellationToken)
    {
        var pending = new List<Task>(count);
        var started = Stopwatch.GetTimestamp();
        var sent = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(2));
        while (sent < count && await timer.WaitForNextTickAsync(cancellationToken))
        {
            var due = Math.Min(count, (int)(Stopwatch.GetElapsedTime(started).TotalSeconds * perSecond));
            for (; sent < due; sent++)
                pending.Add(PublishOneAsync(sent, tenants, cancellationToken));
        }
        await Task.WhenAll(pending);
    }

    private Task PublishOneAsync(int index, int tenants, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(Render(index, tenants));
        var properties = new BasicProperties { Persistent = true, ContentType = "application/json" };
        return _channel!.BasicPublishAsync(exchange, EventType, mandatory: false, properties, body, cancellationToken).AsTask();
    }

    private string Render(int index, int tenants) =>
        $$$"""
        {"eventId":"evt_{{{runId}}}_{{{index:D7}}}","type":"{{{EventType}}}","occurredAt":"{{{DateTimeOffset.UtcNow:O}}}","tenantId":"{{{TenantOf(index, tenants)}}}","agentId":"sales-assistant","conversationId":"conv_{{{index}}}","data":{"sentAt":{{{UnixMs.Now().ToString("F3", CultureInfo.InvariantCulture)}}},"name":"Ada Lovelace","email":"ada{{{index}}}@example.com","score":87,"plan":"enterprise","notes":"{{{Padding}}}"}}
        """;

    public async ValueTask DisposeAsync()
    {
        if (_channel is not null)
            await _channel.DisposeAsync();
    }
}
