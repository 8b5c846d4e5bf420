using Astra.Dispatch.Cli;
using Astra.Dispatch.Management;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Astra.Dispatch.Console.Tests.Api.Support;

/// <summary>
/// The real console host (its own Add/Use/Map wiring) on a real Kestrel socket at 127.0.0.1:0, on a SQLite file in a temp
/// folder, with only the configuration given here. <see cref="Cli"/> runs the CLI in-process on the same database.
/// </summary>
public sealed class ConsoleApp : IAsyncDisposable
{
    /// <summary>Nothing listens here: tests that need no broker never wait on one.</summary>
    public const string NoBroker = "amqp://guest:guest@127.0.0.1:1/";

    private readonly WebApplication _app;

    private ConsoleApp(WebApplication app, string folder, Dictionary<string, string?> settings, Uri baseAddress)
    {
        _app = app;
        Folder = folder;
        Settings = settings;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public string Folder { get; }

    public Dictionary<string, string?> Settings { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<ConsoleApp> StartAsync(string? amqpUri = null, string? databasePath = null, IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null)
    {
        var folder = Directory.CreateTempSubdirectory("astra-console-").FullName;
        Directory.CreateDirectory(Path.Combine(folder, "secrets"));
        var all = new Dictionary<string, string?>
        {
            ["Dispatch:Database"] = databasePath ?? Path.Combine(folder, "dispatch.db"),
            ["Dispatch:RabbitMq:Uri"] = amqpUri ?? NoBroker,
            ["Dispatch:SecretsPath"] = Path.Combine(folder, "secrets"),
            ["Dispatch:Http:AllowPlainHttp"] = "true",
            ["Dispatch:Http:AllowedNetworks:0"] = "127.0.0.0/8",
            ["Dispatch:Console:Urls"] = "http://127.0.0.1:0",
            // Every test talks from 127.0.0.1: only the limiter's own test gets a small budget.
            ["Dispatch:Console:FailedAuthLimit"] = "100000",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            all[key] = value;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = folder });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(all);
        builder.Logging.ClearProviders();
        builder.AddDispatchConsole();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.UseDispatchConsole();
        app.MapDispatchConsole();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new ConsoleApp(app, folder, all, new Uri(address));
    }

    /// <summary>A new key from the same KeyService the CLI uses; its plain text.</summary>
    public async Task<string> KeyAsync(string role, string? tenant = null, string? name = null)
    {
        var created = await Services.GetRequiredService<KeyService>().CreateAsync(
            ApiRoles.TryParse(role, out var r) ? r : throw new ArgumentException(role), tenant, name ?? $"{role}-{tenant ?? "all"}", Actor.Cli(), default);
        return created.Key;
    }

    public async Task<(int ExitCode, string Out, string Err)> Cli(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, output, error, Settings);
        return (code, output.ToString(), error.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
