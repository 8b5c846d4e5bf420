using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Storage.Sqlite;

/// <summary>Opens pooled connections to the SQLite database file; migrations (and WAL mode) are applied once per process.</summary>
public sealed class SqliteDatabase : IDispatchDatabase, IDisposable
{
    private readonly string _connectionString;
    private readonly Lazy<Task> _migrated;

    /// <summary>The database named by <c>Dispatch:Database</c>, created with its folder on first use.</summary>
    public SqliteDatabase(IOptions<DispatchOptions> options, TimeProvider time)
    {
        // A PostgreSQL URL taken for a path would become folders named after its user and password.
        if (DatabaseUrl.IsPostgres(options.Value.Database))
            throw new InvalidOperationException("Dispatch:Database is a PostgreSQL URL, not a SQLite file: resolve IDispatchDatabase, not SqliteDatabase.");
        var path = System.IO.Path.GetFullPath(options.Value.Database);
        if (System.IO.Path.GetDirectoryName(path) is { Length: > 0 } folder)
            Directory.CreateDirectory(folder);
        OwnerOnly(path);
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _migrated = new Lazy<Task>(() => SqliteMigrations.ApplyAsync(this, time, CancellationToken.None));
    }

    /// <summary>Read and write for the owner only (0600).</summary>
    internal const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// The database holds rules (secret names, in-house URLs) and the delivery log (response excerpts): it is created
    /// 0600 before SQLite opens it, and SQLite gives its -wal and -shm files the database file's mode. A file or its
    /// companions left readable by others (created by an older version, under a wider umask) are narrowed.
    /// </summary>
    private static void OwnerOnly(string path)
    {
        if (OperatingSystem.IsWindows())
            return;
        if (!File.Exists(path))
        {
            try
            {
                using var _ = new FileStream(path, new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = FileMode });
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process (a replica, the CLI) created it first.
            }
        }
        foreach (var file in new[] { path, path + "-wal", path + "-shm", path + "-journal" })
        {
            try
            {
                if (File.Exists(file) && (File.GetUnixFileMode(file) & ~FileMode) != 0)
                    File.SetUnixFileMode(file, FileMode);
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
            {
                // Not ours to change (another user's file): SQLite still opens it if it may.
            }
        }
    }

    /// <summary>The database file's full path.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public string Description => $"SQLite {Path}";

    /// <summary>
    /// Held by this process's writers (the log batch, claims, pruning) around their write transactions: SQLite has one
    /// writer at a time, and waiting here is cheaper than its busy-retry loop. Other processes still meet the busy timeout.
    /// </summary>
    internal SemaphoreSlim WriteGate { get; } = new(1, 1);

    /// <summary>Ready only if the file takes a write lock: a read-only mount or a full disk shows up here.</summary>
    public async Task CheckWritableAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // BEGIN IMMEDIATE takes the RESERVED (write) lock without changing anything.
        await connection.ExecuteAsync(new CommandDefinition("BEGIN IMMEDIATE; ROLLBACK;", cancellationToken: cancellationToken));
    }

    /// <summary>Releases the write gate.</summary>
    public void Dispose() => WriteGate.Dispose();

    /// <summary>An open connection to a migrated database.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await _migrated.Value.WaitAsync(cancellationToken);
        return await OpenRawAsync(cancellationToken);
    }

    internal async Task<SqliteConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        // WAL is a property of the file (set by the migrations), and the provider retries SQLITE_BUSY until
        // DefaultTimeout, which lets replicas and the CLI share the file. The hot path's status lookups keep their
        // connections open, so the one PRAGMA below is paid per batch, not per lookup.
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        // In WAL mode NORMAL stays consistent after a crash; only the last commits before a power cut can be lost. Per
        // connection, so every writer gets it (the claims commit many small transactions: FULL would fsync each one).
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA synchronous=NORMAL";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }
        return connection;
    }
}
