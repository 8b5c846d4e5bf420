using System.Runtime.CompilerServices;

namespace Astra.Dispatch.Testing.Postgres;

/// <summary>
/// One PostgreSQL server per test process, started on first use and removed at process exit; tests
/// share it and each takes a fresh database (<see cref="CreateDatabaseAsync"/>), so they run in parallel.
/// </summary>
/// <example>
/// <code>
/// await using var database = await SharedPostgres.CreateDatabaseAsync(); // dropped at the end of the test
/// var settings = new Dictionary&lt;string, string?&gt; { ["Dispatch:Database"] = database.Url };
/// await using var connection = await database.OpenConnectionAsync();  // to seed or inspect it
/// </code>
/// </example>
public static class SharedPostgres
{
    private static readonly Lazy<Task<PostgresServer>> Instance = new(StartShared, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The shared server. A failed start is remembered, so every test fails fast with the same message.</summary>
    public static Task<PostgresServer> GetAsync(CancellationToken cancellationToken = default) =>
        Instance.Value.WaitAsync(cancellationToken);

    /// <summary>A fresh database on the shared server, named after the calling test; dispose it to drop it.</summary>
    public static async Task<PostgresDatabase> CreateDatabaseAsync([CallerMemberName] string label = "", CancellationToken cancellationToken = default)
    {
        var server = await GetAsync(cancellationToken);
        return await server.CreateDatabaseAsync(label, cancellationToken);
    }

    /// <summary>A server of its own (caller disposes it), for tests that change server-wide state or kill it.</summary>
    public static Task<PostgresServer> StartDedicatedAsync(CancellationToken cancellationToken = default) =>
        PostgresServer.StartAsync(cancellationToken);

    private static Task<PostgresServer> StartShared()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DisposeAtExit();
        // Not tied to any caller's token: other tests wait on the same start.
        return Task.Run(() => PostgresServer.StartCoreAsync(new PostgresServerOptions(), shared: true, CancellationToken.None));
    }

    private static void DisposeAtExit()
    {
        var start = Instance.Value;
        if (start.IsCompletedSuccessfully)
        {
            // Best effort: vstest kills the test host moments after this starts; the local server's
            // watchdog (or, for a container, Testcontainers' reaper) finishes the job.
            start.Result.DisposeCoreAsync().AsTask().Wait(TimeSpan.FromSeconds(15));
        }
    }
}
