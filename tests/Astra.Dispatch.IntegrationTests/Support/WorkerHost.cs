using System.Diagnostics;
using Astra.Dispatch.Worker;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Astra.Dispatch.IntegrationTests.Support;

/// <summary>
/// The one way tests run the real worker (its host, MassTransit, SQLite, templating) against a real broker: a temp
/// folder for its rules file and database, short retry schedules, and only the configuration given here (no
/// environment variables or appsettings leak in). In-process by default; <see cref="StartProcess"/> runs the built
/// worker as a process of its own on the same folder and settings, and <see cref="StopAsync"/> then
/// <see cref="StartAsync(CancellationToken)"/> restarts it on the same database.
/// Set <c>ASTRA_TEST_WORKER_LOG</c> to a file path to get every in-process worker's debug log there.
/// </summary>
public sealed class WorkerHost : IAsyncDisposable
{
    private readonly Action<IServiceCollection>? _services;
    private readonly ILoggerProvider? _logs;
    private WebApplication? _app;

    private WorkerHost(string folder, IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? services, ILoggerProvider? logs)
    {
        Folder = folder;
        Settings = settings;
        _services = services;
        _logs = logs;
    }

    public string Folder { get; }

    public string RulesPath => Path.Combine(Folder, "rules.yaml");

    public string DatabasePath => Path.Combine(Folder, "dispatch.db");

    /// <summary>The worker's whole configuration (defaults overlaid with the test's settings).</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; }

    public IServiceProvider Services => Running.Services;

    /// <summary>The in-process worker's operations endpoint: <c>/health/*</c> and <c>/metrics</c>.</summary>
    public Uri HealthUri => new(Running.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    private WebApplication Running => _app ?? throw new InvalidOperationException("the worker is not running in-process");

    /// <summary>Writes the worker's files without starting it (e.g. for <see cref="StartProcess"/>).</summary>
    /// <param name="amqpUri">The broker, or one of its virtual hosts.</param>
    /// <param name="rulesYaml">The rules file (see <see cref="RuleYaml"/>).</param>
    /// <param name="settings">Overrides of the defaults, e.g. <c>Dispatch:Delivery:PauseAfter</c>.</param>
    /// <param name="services">More or replaced services, e.g. an in-memory span exporter.</param>
    /// <param name="logs">A sink that receives every log line at every level (leak checks).</param>
    public static WorkerHost Create(Uri amqpUri, string rulesYaml, IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null, ILoggerProvider? logs = null)
    {
        var folder = Directory.CreateTempSubdirectory("astra-worker-").FullName;
        File.WriteAllText(Path.Combine(folder, "rules.yaml"), rulesYaml);
        var all = new Dictionary<string, string?>
        {
            ["Dispatch:RabbitMq:Uri"] = amqpUri.ToString(),
            ["Dispatch:Database"] = Path.Combine(folder, "dispatch.db"),
            ["Dispatch:RulesPath"] = Path.Combine(folder, "rules.yaml"),
            ["Dispatch:Http:AllowPlainHttp"] = "true",
            ["Dispatch:Http:AllowedNetworks:0"] = "127.0.0.0/8",
            // Receivers listen on random loopback ports.
            ["Dispatch:Http:AllowedPorts:0"] = "1024-65535",
            ["Dispatch:Health:Urls"] = "http://127.0.0.1:0",
            ["Dispatch:Delivery:Schedule:0"] = "1s",
            ["Dispatch:Delivery:Schedule:1"] = "2s",
            ["Dispatch:Delivery:Schedule:2"] = "4s",
            ["Dispatch:Delivery:Jitter"] = "0",
            ["Dispatch:Delivery:ShutdownGrace"] = "00:00:05",
            ["Dispatch:RulesRefreshInterval"] = "00:00:00.200",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            all[key] = value;
        return new WorkerHost(folder, all, services, logs);
    }

    /// <summary>Creates and starts an in-process worker; see <see cref="Create"/>.</summary>
    public static async Task<WorkerHost> StartAsync(Uri amqpUri, string rulesYaml, IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null, ILoggerProvider? logs = null, CancellationToken cancellationToken = default)
    {
        var host = Create(amqpUri, rulesYaml, settings, services, logs);
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
        return host;
    }

    /// <summary>Starts (or, after <see cref="StopAsync"/>, restarts) the worker in-process on this folder.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_app is not null)
            throw new InvalidOperationException("the worker is already running");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = Folder });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(Settings);
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Warning);
        if (Environment.GetEnvironmentVariable("ASTRA_TEST_WORKER_LOG") is { Length: > 0 } logFile)
            builder.Logging.AddProvider(new FileLoggerProvider(logFile)).SetMinimumLevel(LogLevel.Debug);
        builder.AddDispatchWorker();
        if (_logs is not null)
        {
            // After the worker's own logging setup, so no filter it adds hides a line from the sink.
            builder.Logging.AddProvider(_logs);
            builder.Services.Configure<LoggerFilterOptions>(o =>
            {
                o.MinLevel = LogLevel.Trace;
                o.Rules.Clear();
            });
        }
        _services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapDispatchHealth();
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        _app = app;
    }

    /// <summary>A graceful stop, as on SIGTERM; the folder stays for a restart or for inspection.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_app is not { } app)
            return;
        _app = null;
        try
        {
            await app.StopAsync(cancellationToken);
        }
        finally
        {
            await app.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
    }

    public T Get<T>()
        where T : notnull => Running.Services.GetRequiredService<T>();

    /// <summary>The built worker (<c>Astra.Dispatch.Worker.dll</c> next to the tests) as a process of its own, with these settings.</summary>
    public Process StartProcess()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Astra.Dispatch.Worker.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: the integration tests reference the Worker project so it is built next to them");
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var (key, value) in Settings)
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        // Drain the pipes so a chatty worker never blocks on a full buffer.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(CancellationToken.None);
        }
        finally
        {
            try
            {
                Directory.Delete(Folder, recursive: true);
            }
            catch (IOException)
            {
                // A file still open by a background writer or a killed worker process; the OS cleans temp folders.
            }
        }
    }
}
