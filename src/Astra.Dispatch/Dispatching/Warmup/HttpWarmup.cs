using System.Net;
using System.Net.Sockets;
using System.Text;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Security;

namespace Astra.Dispatch.Dispatching.Warmup;

/// <summary>
/// The outbound HTTP stack, on loopback: a handler built as the senders' are (the SSRF guard's connect callback
/// included, under a policy that allows only this one listener), two JSON POSTs over one pooled connection, each
/// answered by a one-line HTTP/1.1 responder in this process. Nothing leaves the host.
/// </summary>
internal sealed class HttpWarmup(GuardedHttpHandlers handlers) : IWarmupStep
{
    private static readonly byte[] Answer = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}");

    public string Name => "http";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var policy = new NetworkPolicy([$"{IPAddress.Loopback}/32"], [port.ToString(System.Globalization.CultureInfo.InvariantCulture)], allowPlainHttp: true);
        using var client = new HttpClient(handlers.Create(policy)) { Timeout = TimeSpan.FromSeconds(5) };
        var serving = ServeAsync(listener, requests: 2, cancellationToken);
        for (var i = 0; i < 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"http://127.0.0.1:{port}/warmup?n={i}"))
            {
                Content = new StringContent("{\"warmup\":true}", Encoding.UTF8, "application/json"),
            };
            request.Headers.TryAddWithoutValidation("webhook-id", "warmup");
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            await response.Content.ReadAsStringAsync(cancellationToken);
        }
        await serving;
    }

    private static async Task ServeAsync(TcpListener listener, int requests, CancellationToken cancellationToken)
    {
        using var socket = await listener.AcceptSocketAsync(cancellationToken);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var buffer = new byte[4096];
        var pending = new StringBuilder();
        for (var answered = 0; answered < requests;)
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            if (read == 0)
                return;
            pending.Append(Encoding.ASCII.GetString(buffer, 0, read));
            // Each request is headers plus a Content-Length body; answer once both are in.
            while (Complete(pending) is var length and > 0)
            {
                pending.Remove(0, length);
                await stream.WriteAsync(Answer, cancellationToken);
                answered++;
            }
        }
    }

    private static int Complete(StringBuilder pending)
    {
        var text = pending.ToString();
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
            return 0;
        var header = text[..end];
        var lengthLine = header.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        var length = lengthLine is null ? 0 : int.Parse(lengthLine["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        return text.Length >= end + 4 + length ? end + 4 + length : 0;
    }
}
