using Astra.Dispatch.Worker;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Astra.Dispatch.Console.Tests.Api.Support;

/// <summary>The real worker in-process (its own host wiring) on the console's database and a broker virtual host, with short retries.</summary>
public sealed class InProcessWorker : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessWorker(WebApplication app) => _app = app;

    public static async Task<InProcessWorker> StartAsync(Uri amqpUri, string database, string folder)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = folder });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Dispatch:RabbitMq:Uri"] = amqpUri.ToString(),
            ["Dispatch:Database"] = database,
            ["Dispatch:SecretsPath"] = Path.Combine(folder, "secrets"),
            ["Dispatch:Http:AllowPlainHttp"] = "true",
            ["Dispatch:Http:AllowedNetworks:0"] = "127.0.0.0/8",
            // Receivers listen on random loopback ports.
            ["Dispatch:Http:AllowedPorts:0"] = "1024-65535",
            ["Dispatch:Health:Urls"] = "http://127.0.0.1:0",
            ["Dispatch:Delivery:Schedule:0"] = "1s",
            ["Dispatch:Delivery:Jitter"] = "0",
            ["Dispatch:Delivery:ShutdownGrace"] = "00:00:05",
            ["Dispatch:RulesRefreshInterval"] = "00:00:00.200",
        });
        builder.Logging.ClearProviders();
        builder.AddDispatchWorker();
        var app = builder.Build();
        app.MapDispatchHealth();
        await app.StartAsync();
        return new InProcessWorker(app);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
