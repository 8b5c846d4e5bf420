using System.Text.Json;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Worker;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Astra.Dispatch.IntegrationTests.Durability;

/// <summary>Files and settings of one worker: its own database and rules file in a temp folder, short schedules.</summary>
public sealed class WorkerSetup : IDisposable
{
    public WorkerSetup(Uri amqpUri, IEnumerable<RuleDefinition> rules)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("astra-durability-").FullName;
        DatabasePath = Path.Combine(Directory, "dispatch.db");
        RulesPath = Path.Combine(Directory, "rules.json");
        File.WriteAllText(RulesPath, JsonSerializer.Serialize(rules.ToList(), JsonSerializerOptions.Web));
        Settings = new Dictionary<string, string?>
        {
            ["Dispatch:RabbitMq:Uri"] = amqpUri.ToString(),
            ["Dispatch:Database"] = DatabasePath,
            ["Dispatch:RulesPath"] = RulesPath,
            ["Dispatch:Http:AllowPlainHttp"] = "true",
            ["Dispatch:Http:AllowedNetworks:0"] = "127.0.0.0/8",
            ["Dispatch:Health:Urls"] = "http://127.0.0.1:0",
            ["Dispatch:Delivery:Schedule:0"] = "1s",
            ["Dispatch:Delivery:Schedule:1"] = "2s",
            ["Dispatch:Delivery:Schedule:2"] = "4s",
            ["Dispatch:Delivery:Jitter"] = "0",
            ["Dispatch:Delivery:ShutdownGrace"] = "00:00:05",
        };
    }

    public string Directory { get; }

    public string DatabasePath { get; }

    public string RulesPath { get; }

    public Dictionary<string, string?> Settings { get; }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A killed worker process may still hold the database for a moment; the OS cleans temp folders.
        }
    }
}

/// <summary>The worker host built in-process from <see cref="WorkerHostExtensions.AddDispatchWorker"/>.</summary>
public sealed class DispatchWorker : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private DispatchWorker(WebApplication app) => _app = app;

    public IServiceProvider Services => _app.Services;

    public static async Task<DispatchWorker> StartAsync(WorkerSetup setup)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = setup.Directory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(setup.Settings);
        builder.Logging.ClearProviders();
        if (Environment.GetEnvironmentVariable("ASTRA_TEST_WORKER_LOG") is { Length: > 0 } logFile)
        {
            builder.Logging.AddProvider(new FileLoggerProvider(logFile));
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
        }
        builder.AddDispatchWorker();
        var app = builder.Build();
        app.MapDispatchHealth();
        await app.StartAsync();
        return new DispatchWorker(app);
    }

    /// <summary>A graceful stop, as on SIGTERM.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
            return;
        _stopped = true;
        await _app.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }
}
