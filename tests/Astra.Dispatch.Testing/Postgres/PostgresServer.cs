using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using Npgsql;

namespace Astra.Dispatch.Testing.Postgres;

/// <summary>
/// A real PostgreSQL for tests: a Testcontainers container when a Docker engine answers, otherwise a
/// private local server (initdb + pg_ctl). Never skips: a missing PostgreSQL is an exception naming the fix.
/// Each <see cref="StartAsync(CancellationToken)"/> starts a new server; share one via <see cref="SharedPostgres"/>
/// and give each test its own database with <see cref="CreateDatabaseAsync"/>.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private static int databaseCounter;

    private readonly IPostgresBackend backend;
    private readonly NpgsqlDataSource admin;
    private bool disposed;

    private PostgresServer(IPostgresBackend backend, bool shared)
    {
        this.backend = backend;
        IsShared = shared;
        AdminConnectionString = ConnectionStringFor("postgres");
        admin = NpgsqlDataSource.Create(AdminConnectionString);
    }

    public PostgresServerKind Kind => backend.Kind;

    /// <summary>Human-readable identity (program, port, data folder or container image).</summary>
    public string Description => backend.Description;

    public string Host => backend.Host;

    public int Port => backend.Port;

    /// <summary>A superuser (generated for this server; the password too).</summary>
    public string Username => backend.Username;

    public string Password => backend.Password;

    /// <summary>The maintenance database <c>postgres</c>; tests use their own from <see cref="CreateDatabaseAsync"/>.</summary>
    public string AdminConnectionString { get; }

    /// <summary>The process-wide server from <see cref="SharedPostgres"/>: it cannot be disposed by a test.</summary>
    public bool IsShared { get; }

    public static Task<PostgresServer> StartAsync(CancellationToken cancellationToken = default) =>
        StartAsync(new PostgresServerOptions(), cancellationToken);

    public static Task<PostgresServer> StartAsync(PostgresServerOptions options, CancellationToken cancellationToken = default) =>
        StartCoreAsync(options, shared: false, cancellationToken);

    /// <summary>
    /// A new, empty database owned by <see cref="Username"/>; dispose it to drop it. Its name starts with
    /// <paramref name="label"/> (by default the calling test method) so a leftover or a log names its test.
    /// </summary>
    public async Task<PostgresDatabase> CreateDatabaseAsync([CallerMemberName] string label = "", CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var name = $"{Sanitize(label)}_{Interlocked.Increment(ref databaseCounter)}";
        // template1 is never connected to, so concurrent creations from it do not fail on "being accessed by other users".
        await using var command = admin.CreateCommand($"CREATE DATABASE {Quote(name)}");
        await command.ExecuteNonQueryAsync(cancellationToken);
        return new PostgresDatabase(this, name);
    }

    /// <summary>Drops the database, ending any session still connected to it (and clearing this process's pool for it).</summary>
    public async Task DropDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        await using (var connection = new NpgsqlConnection(ConnectionStringFor(name)))
        {
            NpgsqlConnection.ClearPool(connection);
        }

        // WITH (FORCE): PostgreSQL 13+; a test's leftover connection must not fail the cleanup.
        await using var command = admin.CreateCommand($"DROP DATABASE IF EXISTS {Quote(name)} WITH (FORCE)");
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary><c>postgresql://user:password@host:port/<paramref name="database"/></c>, the form <c>Dispatch:Database</c> takes.</summary>
    public string UrlFor(string database) => PostgresUrl.Format(Host, Port, Username, Password, database);

    public string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = Host,
        Port = Port,
        Username = Username,
        Password = Password,
        Database = database,
    }.ConnectionString;

    public async ValueTask DisposeAsync()
    {
        if (IsShared)
        {
            return; // disposed once at process exit by SharedPostgres
        }

        await DisposeCoreAsync();
    }

    internal static async Task<PostgresServer> StartCoreAsync(PostgresServerOptions options, bool shared, CancellationToken cancellationToken)
    {
        var kind = options.Kind;
        if (kind == PostgresServerKind.Auto)
        {
            kind = Environment.GetEnvironmentVariable("ASTRA_TEST_POSTGRES")?.ToLowerInvariant() switch
            {
                "docker" or "container" => PostgresServerKind.Container,
                "local" => PostgresServerKind.Local,
                _ => await DockerEngine.IsAvailableAsync(cancellationToken) ? PostgresServerKind.Container : PostgresServerKind.Local,
            };
        }

        var installation = kind == PostgresServerKind.Local ? PostgresInstallation.Find() : null;
        for (var attempt = 1; ; attempt++)
        {
            IPostgresBackend backend = installation is null
                ? ContainerPostgres.Create()
                : await LocalPostgresServer.CreateAsync(installation, cancellationToken);
            PostgresServer? server = null;
            try
            {
                var clock = Stopwatch.StartNew();
                await backend.StartAsync(options.StartTimeout, cancellationToken);
                server = new PostgresServer(backend, shared);
                await server.WaitUntilReadyAsync(options.StartTimeout - clock.Elapsed, cancellationToken);
                return server;
            }
            catch (Exception) when (attempt < 3 && backend.FailedOnConflict())
            {
                await DisposeAsync(server, backend); // another process took the port: a new one
            }
            catch
            {
                await DisposeAsync(server, backend);
                throw;
            }
        }
    }

    internal async ValueTask DisposeCoreAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        await backend.DisposeAsync(); // first: at process exit time is short
        await admin.DisposeAsync();
    }

    private static async ValueTask DisposeAsync(PostgresServer? server, IPostgresBackend backend)
    {
        if (server is not null)
        {
            await server.DisposeCoreAsync();
        }
        else
        {
            await backend.DisposeAsync();
        }
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        // pg_ctl -w and the container's pg_isready already waited; this also proves the password works over TCP.
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var connection = await admin.OpenConnectionAsync(cancellationToken);
                return;
            }
            catch (NpgsqlException ex) when (ex is not PostgresException { SqlState: PostgresErrorCodes.InvalidPassword })
            {
                if (backend.HasExited)
                {
                    throw new InvalidOperationException($"PostgreSQL {backend.Description} exited while starting.\n{await backend.DiagnosticsAsync()}", ex);
                }

                if (clock.Elapsed > timeout)
                {
                    throw new TimeoutException(
                        $"PostgreSQL {backend.Description} did not accept a connection in time. Last error: {ex.GetBaseException().Message}\n{await backend.DiagnosticsAsync()}", ex);
                }
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>Lower-case letters, digits and underscores, at most 40 characters: with the counter well under PostgreSQL's 63.</summary>
    private static string Sanitize(string label)
    {
        var name = new StringBuilder("t_");
        foreach (var c in label.ToLowerInvariant())
        {
            name.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
            if (name.Length >= 40)
            {
                break;
            }
        }

        return name.ToString();
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
