using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Astra.Dispatch.Benchmarks;

/// <summary>
/// Kestrel on loopback: <c>OkPort</c> answers 200 and records arrival (latency from the body's <c>sentAt</c>, the
/// <c>webhook-id</c> for exactly-once checks); <c>HangPort</c> never answers (until the client gives up).
/// </summary>
internal sealed class Receiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private volatile Recording _recording = new(1);

    private Receiver(WebApplication app) => _app = app;

    public Uri OkBase { get; private set; } = null!;
    public Uri HangBase { get; private set; } = null!;

    public Recording Recording => _recording;

    public static async Task<Receiver> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Listen(IPAddress.Loopback, 0);
            k.Limits.MaxConcurrentConnections = null;
        });
        var app = builder.Build();
        var receiver = new Receiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync(cancellationToken);
        var ports = app.Urls.Select(u => new Uri(u).Port).ToArray();
        receiver.OkBase = new Uri($"http://127.0.0.1:{ports[0]}/");
        receiver.HangBase = new Uri($"http://127.0.0.1:{ports[1]}/");
        return receiver;
    }

    /// <summary>Starts recording afresh, expecting <paramref name="expected"/> healthy deliveries.</summary>
    public Recording Reset(int expected) => _recording = new Recording(expected);

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Connection.LocalPort == HangBase.Port)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
            return;
        }
        var arrived = Stopwatch.GetTimestamp();
        var nowMs = UnixMs.Now();
        using var body = new MemoryStream(256);
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var id = context.Request.Headers["webhook-id"].ToString();
        var sentAt = SentAt(body.GetBuffer().AsSpan(0, (int)body.Length));
        _recording.Record(id, arrived, sentAt, nowMs - sentAt);
        context.Response.StatusCode = 200;
    }

    private static double? SentAt(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("sentAt"u8) && reader.Read())
                return reader.TokenType == JsonTokenType.Number ? reader.GetDouble() : double.TryParse(reader.GetString(), CultureInfo.InvariantCulture, out var v) ? v : null;
        }
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>What the receiver saw since the last reset: counts, distinct ids, latencies, first/last arrival.</summary>
internal sealed class Recording(int expected)
{
    private readonly ConcurrentDictionary<string, byte> _ids = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<double> _latencies = new();
    private readonly ConcurrentQueue<(double SentAtMs, double LatencyMs)> _samples = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _count;
    private long _last;
    private long _first;

    public long FirstArrival => Interlocked.Read(ref _first);
    public int Count => Volatile.Read(ref _count);
    public int Distinct => _ids.Count;
    public long LastArrival => Interlocked.Read(ref _last);
    public IReadOnlyCollection<double> Latencies => _latencies;

    /// <summary>
    /// The slowest delivery of the events published in the first second of the recording (by their <c>sentAt</c>):
    /// what a freshly started side makes its first users wait.
    /// </summary>
    public double FirstSecondMaxMs()
    {
        var samples = _samples.ToArray();
        if (samples.Length == 0)
            return 0;
        var first = samples.Min(s => s.SentAtMs);
        return samples.Where(s => s.SentAtMs < first + 1000).Max(s => s.LatencyMs);
    }

    public void Record(string id, long arrived, double? sentAtMs, double? latencyMs)
    {
        if (id.Length > 0)
            _ids.TryAdd(id, 0);
        if (latencyMs is { } l)
        {
            _latencies.Enqueue(l);
            _samples.Enqueue((sentAtMs ?? 0, l));
        }
        Interlocked.CompareExchange(ref _first, arrived, 0);
        long seen;
        while ((seen = Interlocked.Read(ref _last)) < arrived && Interlocked.CompareExchange(ref _last, arrived, seen) != seen)
        {
        }
        if (Interlocked.Increment(ref _count) >= expected)
            _done.TrySetResult();
    }

    /// <summary>Waits for the expected count, or until nothing has arrived for <paramref name="idle"/>.</summary>
    public async Task<bool> WaitAsync(TimeSpan idle, CancellationToken cancellationToken)
    {
        var seen = -1;
        while (!_done.Task.IsCompleted)
        {
            var count = Count;
            if (count == seen)
                return false;
            seen = count;
            await Task.WhenAny(_done.Task, Task.Delay(idle, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
        }
        return true;
    }
}
