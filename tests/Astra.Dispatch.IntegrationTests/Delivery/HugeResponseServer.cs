using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Astra.Dispatch.IntegrationTests.Delivery;

/// <summary>
/// An endpoint on loopback that answers 200 with a body of <c>size</c> bytes, streamed from one small buffer so the
/// server itself allocates next to nothing (allocation checks measure the whole process).
/// </summary>
internal sealed class HugeResponseServer : IAsyncDisposable
{
    private static readonly byte[] Chunk = "{\"data\":\""u8.ToArray().Concat(Enumerable.Repeat((byte)'x', 64 * 1024 - 9)).ToArray();
    private readonly WebApplication _app;
    private int _requests;

    private HugeResponseServer(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public int Requests => Volatile.Read(ref _requests);

    public static async Task<HugeResponseServer> StartAsync(long size)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new HugeResponseServer(app);
        app.MapPost("/huge", async (HttpContext context) =>
        {
            Interlocked.Increment(ref server._requests);
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = size;
            try
            {
                for (long sent = 0; sent < size; sent += Chunk.Length)
                    await context.Response.Body.WriteAsync(Chunk.AsMemory(0, (int)Math.Min(Chunk.Length, size - sent)), context.RequestAborted);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
                // The client hung up after reading what it wanted: expected.
            }
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        server.Url = new Uri($"http://127.0.0.1:{address.Port}/huge");
        return server;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
