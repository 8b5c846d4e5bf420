using System.Buffers;
using System.Net.Http.Headers;
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
/// </summary>
internal sealed class BaselinePipeline(IConnection connection, string exchange, IReadOnlyDictionary<(string Tenant, string Type), BaselineTarget[]> routes)
    : IAsyncDisposable
{
    public const string EventsQueue = "bench.baseline.events";
    public const string CommandsQueue = "bench.baseline.commands";
    private const ushort EventsPrefetch = 128;
    private const ushort EventsConcurrency = 32;
    private const ushort CommandsPrefetch = 256;
    private const ushort CommandsConcurrency = 128;
    private const int PublishChannels = 4;

    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        MaxConnectionsPerServer = int.MaxValue,
        AllowAutoRedirect = false,
        UseCookies = false,
    }) { Timeout = Timeout.InfiniteTimeSpan };
    private readonly List<IChannel> _channels = [];
    private IChannel[] _publishers = [];
    private int _next;
    private bool _consuming;

    /// <summary>Declares the queues (bound to the exchange), so events can queue up before <see cref="StartAsync"/>.</summary>
    public async Task DeclareAsync(CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: true, cancellationToken: cancellationToken);
        foreach (var queue in new[] { EventsQueue, CommandsQueue })
        {
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
            await channel.QueuePurgeAsync(queue, cancellationToken);
        }
        await channel.QueueBindAsync(EventsQueue, exchange, "#", cancellationToken: cancellationToken);
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
            var body = RenderBody(root, eventId);
            var publisher = _publishers[(uint)Interlocked.Increment(ref _next) % PublishChannels];
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
                        ["timeout-ms"] = (int)targets[i].Timeout.TotalMilliseconds,
                    },
                };
                sends[i] = publisher.BasicPublishAsync("", CommandsQueue, mandatory: false, properties, body).AsTask();
            }
            await Task.WhenAll(sends);
        }
        await channel.BasicAckAsync(ea.DeliveryTag, multiple: false);
    }

    private static byte[] RenderBody(JsonElement root, string eventId)
    {
        var data = root.GetProperty("data");
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("sentAt", data.GetProperty("sentAt").GetDouble());
            writer.WriteString("event", eventId);
            writer.WriteString("email", data.GetProperty("email").GetString());
            writer.WriteString("name", data.GetProperty("name").GetString());
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private async Task OnCommandAsync(IChannel channel, BasicDeliverEventArgs ea)
    {
        var headers = ea.BasicProperties.Headers!;
        var url = Encoding.UTF8.GetString((byte[])headers["url"]!);
        var id = Encoding.UTF8.GetString((byte[])headers["webhook-id"]!);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds((int)headers["timeout-ms"]!));
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(ea.Body.ToArray()) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("webhook-id", id);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            // A hand-written pipeline without a retry topology: the failure is dropped (acked), as simple as it gets.
        }
        await channel.BasicAckAsync(ea.DeliveryTag, multiple: false);
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
