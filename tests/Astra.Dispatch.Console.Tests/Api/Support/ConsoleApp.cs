using Astra.Dispatch.Cli;
using Astra.Dispatch.Management;
using Astra.Dispatch.Testing.Postgres;
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
/// folder or a fresh database on the shared PostgreSQL test server, with only the configuration given here. <see cref="Cli"/>
/// runs the CLI in-process on the same database.
/// </summary>
public sealed class ConsoleApp : IAsyncDisposable
{
    /// <summary>Nothing listens here: tests that need no broker never wait on one.</summary>
    public const string NoBroker = "amqp://guest:guest@127.0.0.1:1/";

    private readonly WebApplication _app;
    private readonly PostgresDatabase? _postgres;

    private ConsoleApp(WebApplication app, PostgresDatabase? postgres, string folder, Dictionary<string, string?> settings, Uri baseAddress)
    {
        _app = app;
        _postgres = postgres;
        Folder = folder;
        Settings = settings;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public string Folder { get; }

    public Dictionary<string, string?> Settings { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Both databases, for <c>[MemberData]</c> and for the per-database test classes.</summary>
    public static TheoryData<string> Databases => new() { Sqlite, Postgres };

    /// <summary>A SQLite file in the app's folder.</summary>
    public const string Sqlite = "sqlite";

    /// <summary>A fresh database on the shared PostgreSQL test server, dropped with the app.</summary>
    public const string Postgres = "postgres";

    /// <summary>Starts the console on <paramref name="database"/> (<see cref="Sqlite"/> or <see cref="Postgres"/>).</summary>
    public static async Task<ConsoleApp> StartAsync(string database, string? amqpUri = null, IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null)
    {
        var postgres = database switch
        {
            Postgres => await SharedPostgres.CreateDatabaseAsync("console"),
            Sqlite => null,
            _ => throw new ArgumentOutOfRangeException(nameof(database), database, "sqlite or postgres"),
        };
        try
        {
            return await StartAsync(postgres, amqpUri, settings, services);
        }
        catch
        {
            if (postgres is not null)
                await postgres.DisposeAsync();
            throw;
        }
    }

    private static async Task<ConsoleApp> StartAsync(PostgresDatabase? postgres, string? amqpUri, IDictionary<string, string?>? settings,
        Action<IServiceCollection>? services)
    {
        var folder = Directory.CreateTempSubdirectory("astra-console-").FullName;
        Directory.CreateDirectory(Path.Combine(folder, "secrets"));
        var all = new Dictionary<string, string?>
        {
            ["Dispatch:Database"] = postgres?.Url ?? Path.Combine(folder, "dispatch.db"),
            ["Dispatch:RabbitMq:Uri"] = amqpUri ?? NoBroker,
            ["Dispatch:SecretsPath"] = Path.Combine(folder, "secrets"),
            ["Dispatch:Http:AllowPlainHttp"] = "true",
            ["Dispatch:Http:AllowedNetworks:0"] = "127.0.0.0/8",
            // Receivers listen on random loopback ports.
            ["Dispatch:Http:AllowedPorts:0"] = "1024-65535",
            ["Dispatch:Console:Urls"] = "http://127.0.0.1:0",
            // The console's key ring (sign-in cookies, antiforgery) in the test's folder, not the working directory.
            ["Dispatch:Console:DataProtectionPath"] = Path.Combine(folder, "console-keys"),
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
        return new ConsoleApp(app, postgres, folder, all, new Uri(address));
    }

    /// <summary><c>Dispatch:Database</c>: the SQLite file or the PostgreSQL URL.</summary>
    public string Database => Settings["Dispatch:Database"]!;

    /// <summary>Whether the app runs on PostgreSQL.</summary>
    public bool IsPostgres => _postgres is not null;

    /// <summary>An open connection of the database's own kind, to seed or inspect it with SQL both databases read alike.</summary>
    public async Task<System.Data.Common.DbConnection> OpenDatabaseAsync()
    {
        if (_postgres is not null)
            return await _postgres.OpenConnectionAsync();
        var sqlite = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Database};Pooling=False");
        await sqlite.OpenAsync();
        return sqlite;
    }

    /// <summary>A timestamp as a parameter of the database's own kind: timestamptz on PostgreSQL, round-trip text on SQLite.</summary>
    public object Timestamp(DateTimeOffset at) => IsPostgres ? at.ToUniversalTime() : at.ToUniversalTime().ToString("O");

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
        if (_postgres is not null)
            await _postgres.DisposeAsync();
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
