using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Astra.Dispatch.Storage.Sqlite;

/// <summary>
/// Claims in SQLite: a batch of claims is one write transaction (BEGIN IMMEDIATE, so it reads the latest committed
/// state and nothing commits in between), each claim a read and at most one write. The connection and its prepared
/// statements are kept between batches, under the database's write gate: opening and preparing per batch cost more
/// than the claims themselves.
/// </summary>
internal sealed class SqliteClaimStore(SqliteDatabase database, TimeProvider time) : IDeliveryClaimStore, IDisposable
{
    private Statements? _statements;

    public async Task<IReadOnlyList<ClaimAnswer>> ClaimAsync(IReadOnlyList<ClaimRequest> requests, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var answers = new List<ClaimAnswer>(requests.Count);
        await database.WriteGate.WaitAsync(cancellationToken);
        try
        {
            var statements = _statements ??= await Statements.OpenAsync(database, cancellationToken);
            try
            {
                await using var tx = (SqliteTransaction)await statements.Connection.BeginTransactionAsync(cancellationToken);
                statements.Enlist(tx);
                foreach (var request in requests)
                    answers.Add(await ClaimOneAsync(statements, request, now, cancellationToken));
                await tx.CommitAsync(cancellationToken);
            }
            catch
            {
                // A broken connection is not kept.
                _statements = null;
                statements.Dispose();
                throw;
            }
        }
        finally
        {
            database.WriteGate.Release();
        }
        return answers;
    }

    public async Task ReleaseAsync(string deliveryId, string owner, CancellationToken cancellationToken)
    {
        await database.WriteGate.WaitAsync(cancellationToken);
        try
        {
            var statements = _statements ??= await Statements.OpenAsync(database, cancellationToken);
            statements.Enlist(null);
            Bind(statements.Release, deliveryId, owner);
            await statements.Release.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            database.WriteGate.Release();
        }
    }

    public void Dispose() => _statements?.Dispose();

    private static async Task<ClaimAnswer> ClaimOneAsync(Statements statements, ClaimRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var outcome = ClaimOutcome.Claimed;
        DateTimeOffset? leaseUntil;
        Bind(statements.Read, request.TenantId, request.RuleId, request.DeliveryId);
        await using (var reader = await statements.Read.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            leaseUntil = reader.IsDBNull(3) ? null : DateTimeOffset.Parse(reader.GetString(3), CultureInfo.InvariantCulture);
            if (reader.GetInt64(0) == 0)
                outcome = ClaimOutcome.RuleNotEnabled;
            else if (reader.GetInt64(1) == 1 || (!reader.IsDBNull(4) && reader.GetInt64(4) == 1))
                outcome = ClaimOutcome.Succeeded;
            else if (!reader.IsDBNull(2) && leaseUntil > now)
                outcome = ClaimOutcome.Held;
        }
        if (outcome == ClaimOutcome.Claimed)
        {
            Bind(statements.Write, request.DeliveryId, request.Owner, DeliveryBatch.Timestamp(now + request.Lease));
            await statements.Write.ExecuteNonQueryAsync(cancellationToken);
        }
        return new ClaimAnswer(request.DeliveryId, outcome, outcome == ClaimOutcome.Held ? leaseUntil : null);
    }

    private static void Bind(SqliteCommand command, params object[] values)
    {
        for (var i = 0; i < values.Length; i++)
            command.Parameters[i].Value = values[i];
    }

    private sealed class Statements(SqliteConnection connection, SqliteCommand read, SqliteCommand write, SqliteCommand release) : IDisposable
    {
        public SqliteConnection Connection => connection;
        public SqliteCommand Read => read;
        public SqliteCommand Write => write;
        public SqliteCommand Release => release;

        public static async Task<Statements> OpenAsync(SqliteDatabase database, CancellationToken cancellationToken)
        {
            var connection = await database.OpenAsync(cancellationToken);
            return new Statements(connection,
                Prepare(connection,
                    """
                    SELECT EXISTS (SELECT 1 FROM rules WHERE tenant_id = $tenant AND id = $rule AND enabled = 1),
                        EXISTS (SELECT 1 FROM deliveries WHERE id = $id AND status = 'succeeded'),
                        c.owner, c.lease_until, c.succeeded
                    FROM (SELECT 1) LEFT JOIN delivery_claims c ON c.delivery_id = $id
                    """, "$tenant", "$rule", "$id"),
                Prepare(connection,
                    """
                    INSERT INTO delivery_claims (delivery_id, owner, lease_until, succeeded) VALUES ($id, $owner, $until, 0)
                    ON CONFLICT (delivery_id) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
                    """, "$id", "$owner", "$until"),
                Prepare(connection, "UPDATE delivery_claims SET owner = NULL WHERE delivery_id = $id AND owner = $owner", "$id", "$owner"));
        }

        public void Enlist(SqliteTransaction? tx)
        {
            read.Transaction = tx;
            write.Transaction = tx;
            release.Transaction = tx;
        }

        public void Dispose()
        {
            read.Dispose();
            write.Dispose();
            release.Dispose();
            connection.Dispose();
        }

        private static SqliteCommand Prepare(SqliteConnection connection, string sql, params string[] parameters)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in parameters)
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            command.Prepare();
            return command;
        }
    }
}
