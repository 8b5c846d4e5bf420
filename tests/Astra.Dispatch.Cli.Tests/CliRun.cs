using Astra.Dispatch.Testing.Postgres;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Astra.Dispatch.Cli.Tests;

/// <summary>
/// Runs the CLI in-process against a temp folder (rules, secrets) and a database of either kind (a SQLite file in the
/// folder, or a fresh PostgreSQL database on the shared test server), and captures its output.
/// </summary>
internal sealed class CliRun : IAsyncDisposable, IDisposable
{
    private readonly PostgresDatabase? _postgres;

    public CliRun(IDictionary<string, string?>? extra = null)
        : this(null, extra)
    {
    }

    private CliRun(PostgresDatabase? postgres, IDictionary<string, string?>? extra)
    {
        _postgres = postgres;
        Folder = Directory.CreateTempSubdirectory("astra-cli-").FullName;
        Directory.CreateDirectory(SecretsPath);
        Settings = new Dictionary<string, string?>
        {
            ["Dispatch:Database"] = postgres?.Url ?? Path.Combine(Folder, "dispatch.db"),
            ["Dispatch:SecretsPath"] = SecretsPath,
            ["Dispatch:Http:AllowPlainHttp"] = "true",
            ["Dispatch:Http:AllowedNetworks:0"] = "127.0.0.0/8",
            // The rules of these tests point at 127.0.0.1:9 (discard), where nothing answers.
            ["Dispatch:Http:AllowedPorts:0"] = "1-65535",
            // Nothing listens here: commands that need the broker must fail cleanly, never hang.
            ["Dispatch:RabbitMq:Uri"] = "amqp://guest:guest@127.0.0.1:1/",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
            Settings[key] = value;
    }

    /// <summary>Both databases, for <c>[MemberData]</c>.</summary>
    public static TheoryData<string> Databases => new() { "sqlite", "postgres" };

    public string Folder { get; }

    public string SecretsPath => Path.Combine(Folder, "secrets");

    public Dictionary<string, string?> Settings { get; }

    public static async Task<CliRun> CreateAsync(string database, IDictionary<string, string?>? extra = null) =>
        database == "postgres" ? new CliRun(await SharedPostgres.CreateDatabaseAsync("cli"), extra) : new CliRun(extra);

    /// <summary>Writes <paramref name="tenant"/>'s secret <paramref name="name"/>: <c>&lt;SecretsPath&gt;/&lt;tenant&gt;/&lt;name&gt;</c>.</summary>
    public void WriteSecret(string tenant, string name, string value)
    {
        Directory.CreateDirectory(Path.Combine(SecretsPath, tenant));
        File.WriteAllText(Path.Combine(SecretsPath, tenant, name), value);
    }

    public string Write(string name, string text)
    {
        var path = Path.Combine(Folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    public async Task<Result> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, output, error, Settings);
        return new Result(code, output.ToString(), error.ToString());
    }

    /// <summary>The core's services on the CLI's settings, to seed or inspect the database as the product does.</summary>
    public ServiceProvider Services()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(Settings).Build());
        services.AddLogging();
        services.AddAstraDispatch();
        return services.BuildServiceProvider();
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
    }

    public async ValueTask DisposeAsync()
    {
        Dispose();
        if (_postgres is not null)
            await _postgres.DisposeAsync();
    }

    public sealed record Result(int ExitCode, string Out, string Err);
}
