using System.Buffers;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Astra.Dispatch.Benchmarks;

/// <summary>What the comparison pipelines share with each other: the request they send and how they send it.</summary>
internal static class BenchmarkWebhook
{
    /// <summary>One pooled client, no redirects or cookies, timeouts per request (as the worker's).</summary>
    public static HttpClient CreateClient() => new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        MaxConnectionsPerServer = int.MaxValue,
        AllowAutoRedirect = false,
        UseCookies = false,
    }) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>The body the worker's benchmark rule renders, written by hand.</summary>
    public static byte[] RenderBody(JsonElement data, string eventId)
    {
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

    /// <summary>
    /// POSTs <paramref name="body"/> as JSON with its <c>webhook-id</c>; the status, or null when the call failed or
    /// timed out (no retry topology here: the caller reports it and acks), and how long it took.
    /// </summary>
    public static async Task<(int? Status, TimeSpan Duration)> PostAsync(HttpClient http, string url, ReadOnlyMemory<byte> body, string webhookId, int timeoutMs)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(timeoutMs));
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ReadOnlyMemoryContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("webhook-id", webhookId);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return ((int)response.StatusCode, Stopwatch.GetElapsedTime(started));
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            return (null, Stopwatch.GetElapsedTime(started));
        }
    }

    public static bool Succeeded(int? status) => status is >= 200 and < 300;
}
