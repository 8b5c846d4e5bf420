using Dapper;

namespace Astra.Dispatch.Storage.Sqlite;

/// <summary>Embedded, numbered SQL migrations (<c>Storage/Sqlite/Migrations/NNNN_name.sql</c>), applied in order on start.</summary>
internal static class SqliteMigrations
{
    private const string ResourceFolder = ".Storage.Sqlite.Migrations.";

    public static async Task ApplyAsync(SqliteDatabase database, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenRawAsync(cancellationToken);
        // WAL lets readers (the CLI, status lookups) run while the log writes; it persists in the file.
        await connection.ExecuteAsync("PRAGMA journal_mode=WAL");
        await connection.ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
        var assembly = typeof(SqliteMigrations).Assembly;
        var scripts = assembly.GetManifestResourceNames()
            .Where(n => n.Contains(ResourceFolder, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => (Name: n, Version: int.Parse(n.Split(ResourceFolder)[1][..4], System.Globalization.CultureInfo.InvariantCulture)))
            .OrderBy(s => s.Version);
        foreach (var (name, version) in scripts)
        {
            // BEGIN IMMEDIATE serializes concurrent starters; the re-check inside makes the loser a no-op.
            await connection.ExecuteAsync("BEGIN IMMEDIATE");
            try
            {
                var applied = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_migrations WHERE version = @version", new { version });
                if (applied == 0)
                {
                    await using var stream = assembly.GetManifestResourceStream(name)!;
                    using var reader = new StreamReader(stream);
                    await connection.ExecuteAsync(await reader.ReadToEndAsync(cancellationToken));
                    await connection.ExecuteAsync("INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @at)",
                        new { version, name = name.Split(ResourceFolder)[1], at = DeliveryBatch.Timestamp(time.GetUtcNow()) });
                }
                await connection.ExecuteAsync("COMMIT");
            }
            catch
            {
                await connection.ExecuteAsync("ROLLBACK");
                throw;
            }
        }
    }
}
