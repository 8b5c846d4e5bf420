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
}
