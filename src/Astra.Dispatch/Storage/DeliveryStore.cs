using Dapper;

namespace Astra.Dispatch.Storage;

/// <summary>Reads of the delivery log.</summary>
public sealed class DeliveryStore(SqliteDatabase database)
{
    public async Task<string?> GetStatusAsync(string deliveryId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>("SELECT status FROM deliveries WHERE id = @deliveryId", new { deliveryId });
    }

    /// <summary>
    /// True when the rule has had no successful attempt since <paramref name="cutoff"/> and at least one failed
    /// attempt at or before it with no success in between: every attempt since then has failed.
    /// </summary>
    public async Task<bool> FailingSinceAsync(string ruleId, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // Timestamps are written as UTC round-trip strings, so text order is time order.
        var lastSuccess = await connection.ExecuteScalarAsync<string?>(
            """
            SELECT max(a.started_at) FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
            WHERE d.rule_id = @ruleId AND a.outcome = 'succeeded'
            """, new { ruleId });
        var at = cutoff.ToUniversalTime().ToString("O");
        if (lastSuccess is not null && string.CompareOrdinal(lastSuccess, at) >= 0)
            return false;
        return await connection.ExecuteScalarAsync<long>(
            """
            SELECT EXISTS (SELECT 1 FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
                WHERE d.rule_id = @ruleId AND a.outcome IN ('transient', 'permanent')
                  AND a.started_at <= @at AND a.started_at > @since)
            """, new { ruleId, at, since = lastSuccess ?? "" }) == 1;
    }
}
