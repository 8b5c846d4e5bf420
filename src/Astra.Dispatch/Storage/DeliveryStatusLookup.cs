using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Astra.Dispatch.Storage;

/// <summary>
/// The delivery-log reads on the consumers' hot path (has this delivery been created, has it succeeded?). Each
/// lookup takes an idle open connection with its statement already prepared: opening a connection and parsing the
/// SQL per event cost more than the read itself.
/// </summary>
public sealed class DeliveryStatusLookup(SqliteDatabase database) : IDisposable
{
    /// <summary>Idle connections kept; concurrent lookups beyond this open and close their own.</summary>
    private const int MaxIdle = 8;

    private readonly ConcurrentBag<PreparedStatus> _idle = [];

    /// <summary>The delivery's status, or null when it is not in the log.</summary>
    public async Task<string?> GetStatusAsync(string deliveryId, CancellationToken cancellationToken)
    {
        var statement = _idle.TryTake(out var idle) ? idle : await PreparedStatus.OpenAsync(database, cancellationToken);
        try
        {
            var status = await statement.ReadAsync(deliveryId, cancellationToken);
            Return(statement);
            return status;
        }
        catch
        {
            statement.Dispose();
            throw;
        }
    }

    /// <summary>Which of <paramref name="deliveryIds"/> are in the log, whatever their status.</summary>
    public async Task<IReadOnlySet<string>> FindExistingAsync(IReadOnlyCollection<string> deliveryIds, CancellationToken cancellationToken)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in deliveryIds)
        {
            if (await GetStatusAsync(id, cancellationToken) is not null)
                found.Add(id);
        }
        return found;
    }

    public void Dispose()
    {
        while (_idle.TryTake(out var statement))
            statement.Dispose();
    }

    private void Return(PreparedStatus statement)
    {
        if (_idle.Count < MaxIdle)
            _idle.Add(statement);
        else
            statement.Dispose();
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
