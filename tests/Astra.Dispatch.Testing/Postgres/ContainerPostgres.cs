using System.Security.Cryptography;
using Testcontainers.PostgreSql;

namespace Astra.Dispatch.Testing.Postgres;

/// <summary>PostgreSQL in Docker via Testcontainers (its builder already turns fsync and synchronous commit off).</summary>
internal sealed class ContainerPostgres : IPostgresBackend
{
    /// <summary>The major version Debian 12 installs for the local backend, so both backends test the same server.</summary>
    public const string Image = "postgres:15";

    private readonly PostgreSqlContainer container;
    private bool running;

    private ContainerPostgres()
    {
        Password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        // A random host port: the server is never restarted, so it never needs the same one twice.
        // Testcontainers' resource reaper (Ryuk) removes the container if the test host is killed.
        container = new PostgreSqlBuilder(Image)
            .WithUsername(Username)
            .WithPassword(Password)
            .WithDatabase("postgres")
            // Every test database has its own Npgsql pool; the default 100 runs out under parallel tests.
            .WithCommand("-c", "max_connections=300")
            .Build();
    }

    public PostgresServerKind Kind => PostgresServerKind.Container;

    public string Description => running ? $"container {Image} ({Host}:{Port})" : $"container {Image}";

    public string Host => container.Hostname;

    public int Port => container.GetMappedPublicPort(PostgreSqlBuilder.PostgreSqlPort);

    public string Username => "astra";

    public string Password { get; }

    public bool HasExited => !running;

    public static ContainerPostgres Create() => new();

    public async Task StartAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        // No timeout of our own (as for the broker container): a first image pull takes longer than
        // any server start. The builder's wait strategy returns once pg_isready answers over TCP.
        await container.StartAsync(cancellationToken);
        running = true;
    }

    public async ValueTask DisposeAsync()
    {
        running = false;
        await container.DisposeAsync();
    }

    public async Task<string> DiagnosticsAsync()
    {
        try
        {
            var (stdout, stderr) = await container.GetLogsAsync();
            return "--- container log (tail) ---\n" + string.Join('\n', (stdout + stderr).Split('\n').TakeLast(40));
        }
        catch (Exception ex)
        {
            return $"(container logs unavailable: {ex.Message})";
        }
    }

    public bool FailedOnConflict() => false;
}
