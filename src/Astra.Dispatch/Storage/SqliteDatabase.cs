using System.Runtime.CompilerServices;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Storage;

/// <summary>Opens connections to the dispatch database: WAL, a busy timeout, migrations applied once per process.</summary>
public sealed class SqliteDatabase
{
    private readonly string _connectionString;
    private static readonly object Configured = new();

    private readonly Lazy<Task> _migrated;

    /// <summary>The native connections (reused by the pool) that have had their pragmas set.</summary>
    private readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> _configured = new();

    public SqliteDatabase(IOptions<DispatchOptions> options)
    {
        var path = System.IO.Path.GetFullPath(options.Value.Database);
        if (System.IO.Path.GetDirectoryName(path) is { Length: > 0 } folder)
            Directory.CreateDirectory(folder);
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _migrated = new Lazy<Task>(() => Migrations.ApplyAsync(this, CancellationToken.None));
    }

    public string Path { get; }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await _migrated.Value.WaitAsync(cancellationToken);
        return await OpenRawAsync(cancellationToken);
    }

    internal async Task<SqliteConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        // The settings hold for the life of the native connection, and the pool hands the same one out again and
        // again: set them once per native connection, not on every open (a delivery lookup was 5 statements, now 1).
        if (connection.Handle is { } handle && !_configured.TryGetValue(handle, out _))
        {
            // busy_timeout lets several processes (worker replicas on one host, the CLI) share the file.
            await connection.ExecuteAsync("PRAGMA journal_mode=WAL; PRAGMA busy_timeout=10000; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
            _configured.AddOrUpdate(handle, Configured);
        }
        return connection;
    }
}
