using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Astra.Dispatch.Storage.Postgres;

/// <summary>
/// PostgreSQL named by a <c>postgresql://</c> URL in <c>Dispatch:Database</c>: one pooled data source for the process;
/// the migrations are applied before the first connection is handed out (and retried on the next call if the server
/// was not reachable yet), under an advisory lock so replicas starting together apply each one exactly once.
/// </summary>
internal sealed partial class PostgresDatabase : IDispatchDatabase, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;
    private readonly ILogger<PostgresDatabase> _logger;
    private readonly SemaphoreSlim _migrateLock = new(1, 1);
    private volatile bool _migrated;
    private int _disposed;

    public PostgresDatabase(IOptions<DispatchOptions> options, TimeProvider time, ILogger<PostgresDatabase> logger)
    {
        var builder = PostgresConnectionUrl.Parse(options.Value.Database);
        Description = PostgresConnectionUrl.Describe(builder);
        ConnectionString = builder.ConnectionString;
        // Session-level advisory locks and LISTEN need a connection of their own: the pool resets (DISCARD ALL) a
        // connection it takes back, which would drop both behind our back.
        DedicatedConnectionString = new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString;
        _dataSource = NpgsqlDataSource.Create(ConnectionString);
        _time = time;
        _logger = logger;
    }

    public string Description { get; }

    /// <summary>Pooled connections (holds the password: never log it).</summary>
    internal string ConnectionString { get; }

    /// <summary>The same server without pooling: for the migration lock and the rule-change listener.</summary>
    internal string DedicatedConnectionString { get; }

    /// <summary>An open pooled connection to the migrated database.</summary>
    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await EnsureMigratedAsync(cancellationToken);
        return await _dataSource.OpenConnectionAsync(cancellationToken);
    }

    /// <summary>A command on a pooled connection of its own (one round trip, for the hot-path reads).</summary>
    public async Task<NpgsqlCommand> CommandAsync(string sql, CancellationToken cancellationToken)
    {
        await EnsureMigratedAsync(cancellationToken);
        return _dataSource.CreateCommand(sql);
    }

    /// <summary>A batch on a pooled connection of its own: its statements run in one round trip and one implicit transaction.</summary>
    public async Task<NpgsqlBatch> BatchAsync(CancellationToken cancellationToken)
    {
        await EnsureMigratedAsync(cancellationToken);
        return _dataSource.CreateBatch();
    }

    public async Task EnsureMigratedAsync(CancellationToken cancellationToken)
    {
        if (_migrated)
            return;
        await _migrateLock.WaitAsync(cancellationToken);
        try
        {
            if (_migrated)
                return;
            var applied = await PostgresMigrations.ApplyAsync(DedicatedConnectionString, _time, cancellationToken);
            if (applied.Count > 0)
                LogMigrated(Description, applied);
            _migrated = true;
        }
        finally
        {
            _migrateLock.Release();
        }
    }

    public async Task CheckWritableAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        // A write that is rolled back: fails on a standby, a read-only database or a full disk, and leaves nothing.
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (-1, 'health', now()) ON CONFLICT DO NOTHING",
            transaction: tx, cancellationToken: cancellationToken));
        await tx.RollbackAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        // The container disposes this once as itself and once per interface it was resolved as.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        await _dataSource.DisposeAsync();
        _migrateLock.Dispose();
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Migrated {Database}: applied {Migrations}")]
    private partial void LogMigrated(string database, IReadOnlyList<string> migrations);
}
