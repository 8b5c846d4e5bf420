using System.Buffers;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Astra.Dispatch.Benchmarks;

/// <summary>One webhook target of the baseline's hard-coded "rules".</summary>
internal sealed record BaselineTarget(Uri Url, string RuleId, TimeSpan Timeout);

/// <summary>
/// The bar: what a careful engineer writes by hand with RabbitMQ.Client 7. Events queue (prefetch 128, 32 handlers)
/// → look up targets by (tenant, type) → one persistent, confirmed command per target → commands queue
/// (prefetch 256, 128 handlers) → HttpClient POST → ack. Same shape and durability as the worker, no framework.
/// With <paramref name="publishResults"/> it also does what the results contract asks of the worker: one persistent,
/// confirmed result per delivery to a topic exchange, before the command is acked.
/// </summary>
internal sealed class BaselinePipeline(IConnection connection, IReadOnlyDictionary<(string Tenant, string Type), BaselineTarget[]> routes,
    bool publishResults = false) : IComparisonPipeline
{
    public const string EventsExchange = "bench.events";
    public const string EventsQueue = "bench.baseline.events";
    public const string CommandsQueue = "bench.baseline.commands";
    public const string ResultsExchange = "bench.baseline.results";
    private const ushort EventsPrefetch = 128;
    private const ushort EventsConcurrency = 32;
    private const ushort CommandsPrefetch = 256;
    private const ushort CommandsConcurrency = 128;
    private const int PublishChannels = 4;

    private readonly HttpClient _http = BenchmarkWebhook.CreateClient();
    private readonly List<IChannel> _channels = [];
    private IChannel[] _publishers = [];
    private int _next;
    private bool _consuming;

    /// <summary>Declares the queues (bound to the exchange).</summary>
    public async Task DeclareAsync(CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await channel.ExchangeDeclareAsync(EventsExchange, ExchangeType.Topic, durable: true, cancellationToken: cancellationToken);
        foreach (var queue in new[] { EventsQueue, CommandsQueue })
        {
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
            await channel.QueuePurgeAsync(queue, cancellationToken);
        }
        await channel.QueueBindAsync(EventsQueue, EventsExchange, "#", cancellationToken: cancellationToken);
        // Like astra.action-results in the worker's run: declared, nothing bound (the agent runtime is not here).
        await channel.ExchangeDeclareAsync(ResultsExchange, ExchangeType.Topic, durable: true, cancellationToken: cancellationToken);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _publishers = new IChannel[PublishChannels];
        for (var i = 0; i < PublishChannels; i++)
        {
            _publishers[i] = await connection.CreateChannelAsync(new CreateChannelOptions(
                publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true,
                outstandingPublisherConfirmationsRateLimiter: new ThrottlingRateLimiter(1000)), cancellationToken);
            _channels.Add(_publishers[i]);
        }
        await ConsumeAsync(CommandsQueue, CommandsPrefetch, CommandsConcurrency, OnCommandAsync, cancellationToken);
        await ConsumeAsync(EventsQueue, EventsPrefetch, EventsConcurrency, OnEventAsync, cancellationToken);
        _consuming = true;
    }

    private async Task ConsumeAsync(string queue, ushort prefetch, ushort concurrency, Func<IChannel, BasicDeliverEventArgs, Task> handler, CancellationToken cancellationToken)
    {
        var channel = await connection.CreateChannelAsync(new CreateChannelOptions(false, false, consumerDispatchConcurrency: concurrency), cancellationToken);
        _channels.Add(channel);
        await channel.BasicQosAsync(0, prefetch, false, cancellationToken);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, ea) => handler(channel, ea);
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer, cancellationToken);
    }

    private async Task OnEventAsync(IChannel channel, BasicDeliverEventArgs ea)
    {
        using var doc = JsonDocument.Parse(ea.Body);
        var root = doc.RootElement;
        var tenant = root.GetProperty("tenantId").GetString()!;
        var type = root.GetProperty("type").GetString()!;
        var eventId = root.GetProperty("eventId").GetString()!;
        if (routes.TryGetValue((tenant, type), out var targets))
        {
            var body = BenchmarkWebhook.RenderBody(root.GetProperty("data"), eventId);
            var publisher = Publisher();
            var sends = new Task[targets.Length];
            for (var i = 0; i < targets.Length; i++)
            {
                var properties = new BasicProperties
                {
                    Persistent = true,
                    ContentType = "application/json",
                    Headers = new Dictionary<string, object?>
                    {
                        ["url"] = targets[i].Url.AbsoluteUri,
                        ["webhook-id"] = $"{eventId}:{targets[i].RuleId}",
                        ["event-id"] = eventId,
                        ["rule-id"] = targets[i].RuleId,
                        ["timeout-ms"] = (int)targets[i].Timeout.TotalMilliseconds,
                    },
                };
                sends[i] = publisher.BasicPublishAsync("", CommandsQueue, mandatory: false, properties, body).AsTask();
            }
            await Task.WhenAll(sends);
        }
        await channel.BasicAckAsync(ea.DeliveryTag, multiple: false);
    }

    private IChannel Publisher() => _publishers[(uint)Interlocked.Increment(ref _next) % PublishChannels];

    private async Task OnCommandAsync(IChannel channel, BasicDeliverEventArgs ea)
    {
        var headers = ea.BasicProperties.Headers!;
        var url = Encoding.UTF8.GetString((byte[])headers["url"]!);
        var id = Encoding.UTF8.GetString((byte[])headers["webhook-id"]!);
        var (status, duration) = await BenchmarkWebhook.PostAsync(_http, url, ea.Body, id, (int)headers["timeout-ms"]!);
        if (publishResults)
            await PublishResultAsync(id, headers, status, duration);
        await channel.BasicAckAsync(ea.DeliveryTag, multiple: false);
    }

    private async Task PublishResultAsync(string deliveryId, IDictionary<string, object?> headers, int? status, TimeSpan duration)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("deliveryId", deliveryId);
            writer.WriteString("eventId", (byte[])headers["event-id"]!);
            writer.WriteString("ruleId", (byte[])headers["rule-id"]!);
            writer.WriteString("status", BenchmarkWebhook.Succeeded(status) ? "succeeded" : "failed");
            writer.WriteNumber("attempts", 1);
            if (status is { } code)
                writer.WriteNumber("httpStatus", code);
            writer.WriteNumber("durationMs", Math.Round(duration.TotalMilliseconds, 1));
            writer.WriteEndObject();
        }
        var properties = new BasicProperties { Persistent = true, ContentType = "application/json" };
        var routingKey = BenchmarkWebhook.Succeeded(status) ? "action.succeeded" : "action.failed";
        await Publisher().BasicPublishAsync(ResultsExchange, routingKey, mandatory: false, properties, buffer.WrittenMemory);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels)
        {
            if (_consuming)
                await channel.CloseAsync();
            await channel.DisposeAsync();
        }
        _http.Dispose();
    }
}
