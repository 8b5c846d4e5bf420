using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Astra.Dispatch.Storage.Sqlite;

/// <summary>
/// Claims in SQLite: a batch of claims is one write transaction (BEGIN IMMEDIATE, so it reads the latest committed
/// state and nothing commits in between), each claim a prepared read and at most one prepared write.
/// </summary>
internal sealed class SqliteClaimStore(SqliteDatabase database, TimeProvider time) : IDeliveryClaimStore
{
    public async Task<IReadOnlyList<ClaimAnswer>> ClaimAsync(IReadOnlyList<ClaimRequest> requests, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var answers = new List<ClaimAnswer>(requests.Count);
        await database.WriteGate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            using var read = Prepare(connection, tx,
                """
                SELECT EXISTS (SELECT 1 FROM rules WHERE tenant_id = $tenant AND id = $rule AND enabled = 1),
                    EXISTS (SELECT 1 FROM deliveries WHERE id = $id AND status = 'succeeded'),
                    c.owner, c.lease_until, c.succeeded
                FROM (SELECT 1) LEFT JOIN delivery_claims c ON c.delivery_id = $id
                """, "$tenant", "$rule", "$id");
            using var write = Prepare(connection, tx,
                """
                INSERT INTO delivery_claims (delivery_id, owner, lease_until, succeeded) VALUES ($id, $owner, $until, 0)
                ON CONFLICT (delivery_id) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
                """, "$id", "$owner", "$until");
            foreach (var request in requests)
            {
                var outcome = ClaimOutcome.Claimed;
                DateTimeOffset? leaseUntil = null;
                Bind(read, request.TenantId, request.RuleId, request.DeliveryId);
                await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
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
                    Bind(write, request.DeliveryId, request.Owner, DeliveryBatch.Timestamp(now + request.Lease));
                    await write.ExecuteNonQueryAsync(cancellationToken);
                }
                answers.Add(new ClaimAnswer(request.DeliveryId, outcome, outcome == ClaimOutcome.Held ? leaseUntil : null));
            }
            await tx.CommitAsync(cancellationToken);
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
            await using var connection = await database.OpenAsync(cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition("UPDATE delivery_claims SET owner = NULL WHERE delivery_id = @deliveryId AND owner = @owner",
                new { deliveryId, owner }, cancellationToken: cancellationToken));
        }
        finally
        {
            database.WriteGate.Release();
        }
    }

    private static SqliteCommand Prepare(SqliteConnection connection, SqliteTransaction tx, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var name in parameters)
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        command.Prepare();
        return command;
    }

    private static void Bind(SqliteCommand command, params object[] values)
    {
        for (var i = 0; i < values.Length; i++)
            command.Parameters[i].Value = values[i];
    }
}
