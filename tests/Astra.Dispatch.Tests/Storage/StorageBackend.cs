using Astra.Dispatch.Rules;
using Astra.Dispatch.Storage;
using Astra.Dispatch.Testing.Postgres;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Astra.Dispatch.Tests.Storage;

/// <summary>
/// One database for a storage test, SQLite (a temp file) or PostgreSQL (a fresh database on the shared test server),
/// with the core's services built on it exactly as the worker builds them: <c>Dispatch:Database</c> chooses the side.
/// </summary>
public sealed class StorageBackend : IAsyncDisposable
{
    private readonly string? _folder;
    private readonly PostgresDatabase? _postgres;
    private readonly ServiceProvider _services;

    private StorageBackend(string name, string database, string? folder, PostgresDatabase? postgres, TimeProvider? time)
    {
        Name = name;
        Database = database;
        _folder = folder;
        _postgres = postgres;
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Dispatch:Database"] = database }).Build());
        services.AddLogging();
        if (time is not null)
            services.AddSingleton(time);
        services.AddAstraDispatch();
        _services = services.BuildServiceProvider();
    }

    /// <summary>Both databases, for <c>[MemberData]</c>.</summary>
    public static TheoryData<string> Names => new() { "sqlite", "postgres" };

    public string Name { get; }

    /// <summary>The <c>Dispatch:Database</c> value.</summary>
    public string Database { get; }

    public bool IsPostgres => _postgres is not null;

    internal IRuleStore Rules => Get<IRuleStore>();

    internal IDeliveryLogStore Log => Get<IDeliveryLogStore>();

    internal IDeliveryClaimStore Claims => Get<IDeliveryClaimStore>();

    internal IRuleChangeStore RuleChanges => Get<IRuleChangeStore>();

    internal IApiKeyStore ApiKeys => Get<IApiKeyStore>();

    internal IAuditLog Audit => Get<IAuditLog>();

    internal IDeliverySearch Search => Get<IDeliverySearch>();

    public IDispatchDatabase Db => Get<IDispatchDatabase>();

    public static async Task<StorageBackend> CreateAsync(string name, TimeProvider? time = null)
    {
        if (name == "postgres")
        {
            var database = await SharedPostgres.CreateDatabaseAsync(name);
            return new StorageBackend(name, database.Url, null, database, time);
        }
        var folder = Directory.CreateTempSubdirectory("astra-storage-").FullName;
        return new StorageBackend(name, Path.Combine(folder, "d.db"), folder, null, time);
    }

    /// <summary>Services of another process on an existing database (its owner drops it).</summary>
    public static Task<StorageBackend> OnAsync(string database) =>
        Task.FromResult(new StorageBackend(Astra.Dispatch.Storage.DatabaseUrl.IsPostgres(database) ? "postgres" : "sqlite", database, null, null, null));

    internal T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    /// <summary>Runs SQL against the database, with this backend's dialect chosen by the caller.</summary>
    public async Task<long> ScalarAsync(string sql)
    {
        if (_postgres is not null)
        {
            await using var connection = await _postgres.OpenConnectionAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        }
        await using var sqlite = new SqliteConnection($"Data Source={Database};Pooling=False");
        await sqlite.OpenAsync();
        await using var query = sqlite.CreateCommand();
        query.CommandText = sql;
        return Convert.ToInt64(await query.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Runs SQL on a connection of the backend's own kind, before any service touched the database.</summary>
    public async Task ExecuteAsync(string sql)
    {
        if (_postgres is not null)
        {
            await using var connection = await _postgres.OpenConnectionAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
            return;
        }
        await using var sqlite = new SqliteConnection($"Data Source={Database};Pooling=False");
        await sqlite.OpenAsync();
        await using var statement = sqlite.CreateCommand();
        statement.CommandText = sql;
        await statement.ExecuteNonQueryAsync();
    }

    public override string ToString() => Name;

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        if (_postgres is not null)
            await _postgres.DisposeAsync();
        if (_folder is not null)
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>The options the worker would bind (for building parts by hand).</summary>
    internal IOptions<DispatchOptions> Options => Get<IOptions<DispatchOptions>>();
}
