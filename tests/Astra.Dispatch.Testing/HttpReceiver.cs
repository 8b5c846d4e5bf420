using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Astra.Dispatch.Testing;

/// <summary>
/// A real Kestrel server on 127.0.0.1 (free port) that records every request and answers with a
/// scriptable response (default 200 with no body). Point rules at <see cref="BaseUri"/>.
/// </summary>
public sealed class HttpReceiver : IAsyncDisposable
{
    private readonly Observed<RecordedRequest> requests = new("request(s)", r => r.ToString());
    private readonly Dictionary<string, int> attempts = new(StringComparer.Ordinal);
    private readonly Lock sync = new();
    private readonly CancellationTokenSource stopping = new();
    private WebApplication? app;
    private Func<RecordedRequest, int, CancellationToken, Task<ReceiverResponse>> responder = DefaultResponder;

    private HttpReceiver()
    {
    }

    /// <summary>e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUri { get; private set; } = null!;

    /// <summary>Everything received so far, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => requests.Snapshot();

    public static async Task<HttpReceiver> StartAsync(CancellationToken cancellationToken = default)
    {
        var receiver = new HttpReceiver();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        // Ignore the test project's appsettings.json and ASPNETCORE_* variables (URLs, Kestrel endpoints).
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(2));
        var app = builder.Build();
        app.Run(receiver.HandleAsync);
        await app.StartAsync(cancellationToken);
        receiver.app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        receiver.BaseUri = new Uri(address.TrimEnd('/') + "/");
        return receiver;
    }

    /// <summary><see cref="BaseUri"/> combined with a relative path such as <c>hooks/crm?x=1</c>.</summary>
    public Uri UrlFor(string pathAndQuery) => new(BaseUri, pathAndQuery.TrimStart('/'));

    /// <summary>Answer with <paramref name="choose"/>(request, attempt number for its path, starting at 1).</summary>
    public void Respond(Func<RecordedRequest, int, ReceiverResponse> choose) =>
        Respond((request, attempt, _) => Task.FromResult(choose(request, attempt)));

    /// <summary>Async variant; the token fires when the client aborts or the receiver stops.</summary>
    public void Respond(Func<RecordedRequest, int, CancellationToken, Task<ReceiverResponse>> choose) => Volatile.Write(ref responder, choose);

    public void RespondAlways(ReceiverResponse response) => Respond((_, _) => response);

    /// <summary>Per path: attempt 1 gets the first response, attempt 2 the second, ...; the last one repeats. E.g. 503, 503, 200.</summary>
    public void RespondInSequence(params ReceiverResponse[] responses)
    {
        ArgumentOutOfRangeException.ThrowIfZero(responses.Length);
        Respond((_, attempt) => responses[Math.Min(attempt, responses.Length) - 1]);
    }

    /// <summary>Forgets recorded requests and attempt counts and answers 200 again.</summary>
    public void Reset()
    {
        lock (sync)
        {
            requests.Clear();
            attempts.Clear();
        }

        Volatile.Write(ref responder, DefaultResponder);
    }

    public Task<RecordedRequest> WaitForRequestAsync(Func<RecordedRequest, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        requests.WaitForAsync(predicate, timeout, $"a matching request on {BaseUri}", cancellationToken);

    /// <summary>Completes when at least <paramref name="count"/> requests arrived; returns all of them.</summary>
    public Task<IReadOnlyList<RecordedRequest>> WaitForCountAsync(int count, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        requests.WaitForCountAsync(count, timeout, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync(); // releases hanging requests so shutdown is quick
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        stopping.Dispose();
    }

    private static Task<ReceiverResponse> DefaultResponder(RecordedRequest request, int attempt, CancellationToken cancellationToken) =>
        Task.FromResult(ReceiverResponse.Ok());

    private async Task HandleAsync(HttpContext context)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping.Token);
        var request = context.Request;
        string body;
        using (var reader = new StreamReader(request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(cancel.Token);
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers)
        {
            headers[name] = string.Join(", ", values.ToArray());
        }

        var path = request.Path.Value ?? "/";
        RecordedRequest recorded;
        lock (sync)
        {
            var attempt = attempts[path] = attempts.GetValueOrDefault(path) + 1;
            recorded = new RecordedRequest(request.Method, path, request.QueryString.Value ?? string.Empty, headers, body, DateTimeOffset.UtcNow, attempt);
            requests.Add(recorded);
        }

        ReceiverResponse response;
        try
        {
            response = await Volatile.Read(ref responder)(recorded, recorded.Attempt, cancel.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            response = ReceiverResponse.Status(500, $"HttpReceiver responder threw: {ex}") with { ContentType = "text/plain" };
        }

        try
        {
            if (response.Hang)
            {
                await Task.Delay(Timeout.Infinite, cancel.Token);
            }

            if (response.Delay > TimeSpan.Zero)
            {
                await Task.Delay(response.Delay, cancel.Token);
            }
        }
        catch (OperationCanceledException)
        {
            context.Abort();
            return;
        }

        if (response.Abort)
        {
            context.Abort();
            return;
        }

        context.Response.StatusCode = response.StatusCode;
        if (response.Body is not null)
        {
            context.Response.ContentType = response.ContentType;
        }

        foreach (var (name, value) in response.Headers)
        {
            context.Response.Headers[name] = value;
        }

        if (response.Body is not null)
        {
            await context.Response.WriteAsync(response.Body, cancel.Token);
        }
    }
}
