using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Astra.Dispatch.Storage.Sqlite;

/// <summary>
/// The delivery-log reads on the consumers' hot path (is this delivery in the log, has it succeeded?). Each lookup takes
/// an idle open connection with its statement already prepared: opening a connection and parsing the SQL per event
/// cost more than the read itself.
/// </summary>
internal sealed class SqliteStatusReader(SqliteDatabase database) : IDisposable
{
    /// <summary>Idle connections kept; concurrent lookups beyond this open and close their own.</summary>
    private const int MaxIdle = 8;

    private readonly ConcurrentBag<PreparedStatus> _idle = [];

    public Task<string?> GetStatusAsync(string deliveryId, CancellationToken cancellationToken) =>
        WithStatementAsync(statement => statement.ReadAsync(deliveryId, cancellationToken), cancellationToken);

    public Task<IReadOnlySet<string>> FindExistingAsync(IReadOnlyCollection<string> deliveryIds, CancellationToken cancellationToken) =>
        WithStatementAsync<IReadOnlySet<string>>(async statement =>
        {
            var found = new HashSet<string>(StringComparer.Ordinal);
            foreach (var id in deliveryIds)
            {
                if (await statement.ReadAsync(id, cancellationToken) is not null)
                    found.Add(id);
            }
            return found;
        }, cancellationToken);

    public void Dispose()
    {
        while (_idle.TryTake(out var statement))
            statement.Dispose();
    }

    /// <summary>Runs <paramref name="read"/> on an idle prepared statement (or a new one); a failed one is discarded.</summary>
    private async Task<T> WithStatementAsync<T>(Func<PreparedStatus, Task<T>> read, CancellationToken cancellationToken)
    {
        var statement = _idle.TryTake(out var idle) ? idle : await PreparedStatus.OpenAsync(database, cancellationToken);
        try
        {
            var result = await read(statement);
            if (_idle.Count < MaxIdle)
                _idle.Add(statement);
            else
                statement.Dispose();
            return result;
        }
        catch
        {
            statement.Dispose();
            throw;
        }
    }

    private sealed class PreparedStatus(SqliteConnection connection, SqliteCommand command) : IDisposable
    {
        public static async Task<PreparedStatus> OpenAsync(SqliteDatabase database, CancellationToken cancellationToken)
        {
            var connection = await database.OpenAsync(cancellationToken);
            var command = connection.CreateCommand();
            command.CommandText = "SELECT status FROM deliveries WHERE id = $id";
            command.Parameters.Add(new SqliteParameter { ParameterName = "$id" });
            command.Prepare();
            return new PreparedStatus(connection, command);
        }

        public async Task<string?> ReadAsync(string deliveryId, CancellationToken cancellationToken)
        {
            command.Parameters[0].Value = deliveryId;
            return await command.ExecuteScalarAsync(cancellationToken) as string;
        }

        public void Dispose()
        {
            command.Dispose();
            connection.Dispose();
        }
    }
}
