using System.Text;
using System.Text.Json;
using MassTransit;
using RabbitMQ.Client;

namespace Astra.Dispatch.Benchmarks;

/// <summary>
/// The framework's floor: <see cref="BaselinePipeline"/> with results, written as a minimal MassTransit 8.5 app the
/// way its documentation shows, tuned like the worker (same prefetch, concurrency, publisher confirms, plain JSON).
/// Events queue → handler looks up targets → one <c>Send</c> per target → commands queue → handler POSTs and
/// publishes the result → ack. None of the worker's own work (rules, templates, delivery log, tracing, retries), so
/// the gap between it and the worker is the worker's, and the gap between it and the baseline is MassTransit's.
/// </summary>
internal sealed class MassTransitPipeline(Uri broker, IConnection connection, IReadOnlyDictionary<(string Tenant, string Type), BaselineTarget[]> routes)
    : IComparisonPipeline
{
    public const string EventsExchange = "bench.mt";
    public const string EventsQueue = "bench.mt.events";
    public const string CommandsQueue = "bench.mt.commands";
    public const string ResultsExchange = "bench.mt.results";
    private static readonly Uri CommandsAddress = new($"queue:{CommandsQueue}");

    private readonly HttpClient _http = BenchmarkWebhook.CreateClient();
    private IBusControl? _bus;

    /// <summary>Removes what an earlier scenario left; MassTransit declares its queues when it starts (so no backlog scenario).</summary>
    public async Task DeclareAsync(CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        foreach (var queue in new[] { EventsQueue, CommandsQueue })
            await channel.QueueDeleteAsync(queue, cancellationToken: cancellationToken);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(broker, h => h.PublisherConfirmation = true);
            cfg.UseRawJsonSerializer(isDefault: true);
            cfg.Message<BenchResult>(m => m.SetEntityName(ResultsExchange));
            cfg.Publish<BenchResult>(p => p.ExchangeType = "topic");
            cfg.Send<BenchResult>(s => s.UseRoutingKeyFormatter(c => c.Message.Status == "succeeded" ? "action.succeeded" : "action.failed"));
            cfg.ReceiveEndpoint(EventsQueue, e =>
            {
                e.PrefetchCount = 128;
                e.ConcurrentMessageLimit = 32;
                e.ConfigureConsumeTopology = false;
                e.Bind(EventsExchange, b =>
                {
                    b.ExchangeType = "topic";
                    b.RoutingKey = "#";
                });
                e.Handler<BenchEvent>(OnEventAsync);
            });
            cfg.ReceiveEndpoint(CommandsQueue, e =>
            {
                e.PrefetchCount = 256;
                e.ConcurrentMessageLimit = 128;
                e.ConfigureConsumeTopology = false;
                e.Handler<BenchCommand>(OnCommandAsync);
            });
        });
        await _bus.StartAsync(cancellationToken);
    }

    private async Task OnEventAsync(ConsumeContext<BenchEvent> context)
    {
        var e = context.Message;
        if (!routes.TryGetValue((e.TenantId, e.Type), out var targets))
            return;
        var body = Encoding.UTF8.GetString(BenchmarkWebhook.RenderBody(e.Data, e.EventId));
        var endpoint = await context.GetSendEndpoint(CommandsAddress);
        await Task.WhenAll(targets.Select(t => endpoint.Send(new BenchCommand(t.Url.AbsoluteUri, $"{e.EventId}:{t.RuleId}", e.EventId, t.RuleId,
            (int)t.Timeout.TotalMilliseconds, body), context.CancellationToken)));
    }

    private async Task OnCommandAsync(ConsumeContext<BenchCommand> context)
    {
        var c = context.Message;
        var (status, duration) = await BenchmarkWebhook.PostAsync(_http, c.Url, Encoding.UTF8.GetBytes(c.Body), c.DeliveryId, c.TimeoutMs);
        await context.Publish(new BenchResult(c.DeliveryId, c.EventId, c.RuleId, BenchmarkWebhook.Succeeded(status) ? "succeeded" : "failed", 1, status,
            Math.Round(duration.TotalMilliseconds, 1)), p => p.Durable = true);
    }

    public async ValueTask DisposeAsync()
    {
        if (_bus is not null)
            await _bus.StopAsync();
        _http.Dispose();
    }

    internal sealed record BenchEvent(string EventId, string Type, string TenantId, JsonElement Data);

    internal sealed record BenchCommand(string Url, string DeliveryId, string EventId, string RuleId, int TimeoutMs, string Body);

    internal sealed record BenchResult(string DeliveryId, string EventId, string RuleId, string Status, int Attempts, int? HttpStatus, double DurationMs);
}
