using Npgsql;

namespace Astra.Dispatch.Testing.Postgres;

/// <summary>A fresh, empty database on a test server; disposing it drops it.</summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    private bool dropped;

    internal PostgresDatabase(PostgresServer server, string name)
    {
        Server = server;
        Name = name;
        Url = server.UrlFor(name);
        ConnectionString = server.ConnectionStringFor(name);
    }

    public PostgresServer Server { get; }

    public string Name { get; }

    /// <summary><c>postgresql://user:password@127.0.0.1:port/name</c>: the value for the product's <c>Dispatch:Database</c>.</summary>
    public string Url { get; }

    /// <summary>The same address as an Npgsql connection string, for test code that reads or seeds the database.</summary>
    public string ConnectionString { get; }

    /// <summary>An open connection to this database (caller disposes it).</summary>
    public async Task<NpgsqlConnection> OpenConnectionAsync(CancellationToken cancellationToken = default)
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        if (dropped)
        {
            return;
        }

        dropped = true;
        await Server.DropDatabaseAsync(Name);
    }
}
