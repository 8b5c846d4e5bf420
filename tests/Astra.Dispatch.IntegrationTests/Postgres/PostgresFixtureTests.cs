using System.Diagnostics;
using Astra.Dispatch.Testing.Postgres;
using Npgsql;
using Xunit.Abstractions;

namespace Astra.Dispatch.IntegrationTests.Postgres;

/// <summary>The PostgreSQL test fixture itself: what the storage tests will rely on.</summary>
public sealed class PostgresFixtureTests(ITestOutputHelper output)
{
    [Fact]
    public async Task CreateDatabaseAsync_TwoDatabases_AreIsolated()
    {
        await using var first = await SharedPostgres.CreateDatabaseAsync();
        await using var second = await SharedPostgres.CreateDatabaseAsync();

        Assert.NotEqual(first.Name, second.Name);
        await using (var connection = await first.OpenConnectionAsync())
        {
            await ExecuteAsync(connection, "CREATE TABLE deliveries (id text PRIMARY KEY); INSERT INTO deliveries VALUES ('d1')");
            Assert.Equal(1L, await ScalarAsync(connection, "SELECT count(*) FROM deliveries"));
        }

        await using (var connection = await second.OpenConnectionAsync())
        {
            Assert.Equal(second.Name, await ScalarAsync(connection, "SELECT current_database()"));
            Assert.Equal(true, await ScalarAsync(connection, "SELECT to_regclass('deliveries') IS NULL"));
            // Fresh means empty: no table of anyone's in the public schema.
            Assert.Equal(0L, await ScalarAsync(connection, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"));
        }
    }

    [Fact]
    public async Task Url_ParsedBackToConnectionString_ConnectsToSameDatabase()
    {
        var server = await SharedPostgres.GetAsync();
        await using var database = await server.CreateDatabaseAsync();

        Assert.Equal($"postgresql://{server.Username}:{server.Password}@{server.Host}:{server.Port}/{database.Name}", database.Url);
        await using var connection = new NpgsqlConnection(PostgresUrl.ToConnectionString(database.Url));
        await connection.OpenAsync();
        Assert.Equal(database.Name, await ScalarAsync(connection, "SELECT current_database()"));
        Assert.Equal(true, await ScalarAsync(connection, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"));
        output.WriteLine($"{server.Kind}: {server.Description}");
    }

    [Theory]
    [InlineData("p@ss:word/?#%", "db-name")]
    [InlineData("plain", "t_plain_1")]
    public void Format_ReservedCharacters_RoundTripThroughToConnectionString(string password, string database)
    {
        var url = PostgresUrl.Format("127.0.0.1", 5433, "astra", password, database);

        var parsed = new NpgsqlConnectionStringBuilder(PostgresUrl.ToConnectionString(url));

        Assert.Equal(("127.0.0.1", 5433, "astra", password, database), (parsed.Host, parsed.Port, parsed.Username, parsed.Password, parsed.Database));
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Database=x")]
    [InlineData("postgresql://astra@127.0.0.1:5432/x")]
    [InlineData("postgresql://astra:pw@127.0.0.1:5432/")]
    [InlineData("postgresql://astra:pw@127.0.0.1:5432/x?sslmode=disable")]
    [InlineData("mysql://astra:pw@127.0.0.1:5432/x")]
    public void ToConnectionString_NotTheUrlForm_Throws(string url) =>
        Assert.Throws<FormatException>(() => PostgresUrl.ToConnectionString(url));

    [Fact]
    public async Task DisposeAsync_DatabaseWithOpenConnection_DropsIt()
    {
        var server = await SharedPostgres.GetAsync();
        var database = await server.CreateDatabaseAsync();
        await using var leftover = await database.OpenConnectionAsync();

        await database.DisposeAsync();

        await using var admin = new NpgsqlConnection(server.AdminConnectionString);
        await admin.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname = @name", admin);
        command.Parameters.AddWithValue("name", database.Name);
        Assert.Equal(0L, await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task CreateDatabaseAsync_EightAtOnce_AllSucceedQuickly()
    {
        var server = await SharedPostgres.GetAsync();
        var clock = Stopwatch.StartNew();

        var databases = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => server.CreateDatabaseAsync()));

        output.WriteLine($"8 databases created concurrently in {clock.ElapsedMilliseconds} ms");
        Assert.Equal(8, databases.Select(d => d.Name).Distinct().Count());
        foreach (var database in databases)
        {
            await database.DisposeAsync();
        }
    }

    [Fact]
    public async Task StartAsync_DedicatedServer_ServesUntilDisposed()
    {
        var clock = Stopwatch.StartNew();
        var server = await PostgresServer.StartAsync();
        output.WriteLine($"{server.Kind} server started in {clock.ElapsedMilliseconds} ms: {server.Description}");
        clock.Restart();
        var database = await server.CreateDatabaseAsync();
        output.WriteLine($"database created in {clock.ElapsedMilliseconds} ms");
        var connectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false, Timeout = 3 }.ConnectionString;
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
        }

        await server.DisposeAsync();

        await using var after = new NpgsqlConnection(connectionString);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => after.OpenAsync());
    }

    [Fact]
    public async Task GetAsync_Twice_SameServer()
    {
        var first = await SharedPostgres.GetAsync();
        var second = await SharedPostgres.GetAsync();

        Assert.Same(first, second);
        Assert.True(first.IsShared);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
