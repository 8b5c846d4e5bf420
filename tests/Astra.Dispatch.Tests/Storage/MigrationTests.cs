using Astra.Dispatch.Storage.Postgres;
using Astra.Dispatch.Testing.Postgres;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StoragePostgres = Astra.Dispatch.Storage.Postgres.PostgresDatabase;

namespace Astra.Dispatch.Tests.Storage;

/// <summary>Migrations when several replicas start at once, and the versions both databases share.</summary>
public sealed class MigrationTests
{
    [Fact]
    public async Task Postgres_EightProcessesMigratingAtOnce_EachVersionAppliedOnce()
    {
        await using var db = await SharedPostgres.CreateDatabaseAsync();
        var options = Options.Create(new DispatchOptions { Database = db.Url });
        // Eight data sources stand for eight replicas: each its own pool, its own dedicated lock connection.
        var replicas = Enumerable.Range(0, 8).Select(_ => new StoragePostgres(options, TimeProvider.System, NullLogger<StoragePostgres>.Instance)).ToList();

        await Task.WhenAll(replicas.Select(r => r.EnsureMigratedAsync(CancellationToken.None)));

        await using var connection = await db.OpenConnectionAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT version FROM schema_migrations ORDER BY version", connection);
        var versions = new List<int>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                versions.Add(reader.GetInt32(0));
        }
        Assert.Equal(PostgresMigrations.Scripts().Select(s => s.Version), versions);
        // The lock was given back: nobody holds it now.
        await using var locks = new Npgsql.NpgsqlCommand("SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())", connection);
        Assert.Equal(0L, await locks.ExecuteScalarAsync());
        foreach (var replica in replicas)
            await replica.DisposeAsync();
    }

    [Fact]
    public void Versions_SameNumbersOnBothDatabases()
    {
        var postgres = PostgresMigrations.Scripts().Select(s => s.Name).ToList();
        var sqlite = typeof(DispatchOptions).Assembly.GetManifestResourceNames()
            .Where(n => n.Contains(".Storage.Sqlite.Migrations.", StringComparison.Ordinal))
            .Select(n => n.Split(".Storage.Sqlite.Migrations.")[1]).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(sqlite, postgres);
    }
}
