using System.Diagnostics;
using Dapper;
using Npgsql;

namespace Astra.Dispatch.Storage.Postgres;

/// <summary>
/// Embedded, numbered SQL migrations (<c>Storage/Postgres/Migrations/NNNN_name.sql</c>, the same numbers as SQLite's
/// where they mean the same), each in its own transaction. Every version not yet recorded is applied, in order, so a
/// version added below the highest one applied (a port merged later) is still applied.
/// </summary>
internal static class PostgresMigrations
{
    /// <summary>The advisory lock key every Astra.Dispatch process takes to migrate (advisory locks are per database).</summary>
    public const long LockKey = 0x41_53_54_52_41_44_53_50; // "ASTRADSP"

    private const string ResourceFolder = ".Storage.Postgres.Migrations.";

    /// <summary>Longest another process may hold the migration lock before this one gives up.</summary>
    private static readonly TimeSpan LockWait = TimeSpan.FromMinutes(10);

    /// <summary>Applies what is missing; returns the scripts this call applied.</summary>
    public static async Task<IReadOnlyList<string>> ApplyAsync(string dedicatedConnectionString, TimeProvider time, CancellationToken cancellationToken)
    {
        // One connection of our own for the whole run: the session lock lives as long as it, whatever happens; a
        // pooled connection would be reset (DISCARD ALL, unlocking everything) when given back.
        await using var connection = new NpgsqlConnection(dedicatedConnectionString);
        await connection.OpenAsync(cancellationToken);
        await LockAsync(connection, time, cancellationToken);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)",
                cancellationToken: cancellationToken));
            var done = (await connection.QueryAsync<int>(new CommandDefinition("SELECT version FROM schema_migrations", cancellationToken: cancellationToken))).ToHashSet();
            var applied = new List<string>();
            foreach (var (resource, name, version) in Scripts().Where(s => !done.Contains(s.Version)))
            {
                await using var tx = await connection.BeginTransactionAsync(cancellationToken);
                await connection.ExecuteAsync(new CommandDefinition(Read(resource), transaction: tx, cancellationToken: cancellationToken, commandTimeout: 0));
                await connection.ExecuteAsync(new CommandDefinition("INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @at)",
                    new { version, name, at = time.GetUtcNow().UtcDateTime }, tx, cancellationToken: cancellationToken));
                await tx.CommitAsync(cancellationToken);
                applied.Add(name);
            }
            return applied;
        }
        finally
        {
            // Explicit, though closing this unpooled connection would release it too.
            if (connection.State == System.Data.ConnectionState.Open)
                await connection.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = LockKey });
        }
    }

    /// <summary>The embedded scripts, in version order.</summary>
    public static IReadOnlyList<(string Resource, string Name, int Version)> Scripts() =>
    [
        .. typeof(PostgresMigrations).Assembly.GetManifestResourceNames()
            .Where(n => n.Contains(ResourceFolder, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => (Resource: n, Name: n.Split(ResourceFolder)[1]))
            .Select(s => (s.Resource, s.Name, Version: int.Parse(s.Name[..4], System.Globalization.CultureInfo.InvariantCulture)))
            .OrderBy(s => s.Version),
    ];

    /// <summary>Waits for the lock by polling, so a stuck holder is an error naming the lock, not a hang.</summary>
    private static async Task LockAsync(NpgsqlConnection connection, TimeProvider time, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_try_advisory_lock(@key)", new { key = LockKey },
            cancellationToken: cancellationToken)))
        {
            if (waited.Elapsed > LockWait)
            {
                throw new TimeoutException(
                    $"Another process has held the migration lock (pg_advisory_lock({LockKey})) for over {LockWait.TotalMinutes} minutes; is a migration stuck?");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken);
        }
    }

    private static string Read(string resource)
    {
        using var stream = typeof(PostgresMigrations).Assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
