using static Astra.Dispatch.Storage.Postgres.PostgresParameters;

namespace Astra.Dispatch.Storage.Postgres;

/// <summary>
/// Claims in PostgreSQL: a batch of claims is one statement. The upsert locks each claim row and re-checks it as it
/// stands after any concurrent release (ON CONFLICT DO UPDATE sees the latest row version, even in READ COMMITTED), so
/// a release that made a claim final is never missed; lease times are the server's clock, shared by every replica.
/// </summary>
internal sealed class PostgresClaimStore(PostgresDatabase database) : IDeliveryClaimStore
{
    private const string ClaimSql =
        """
        WITH req AS (
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::interval[]) AS r(id, owner, tenant_id, rule_id, lease)),
        checked AS (
            SELECT req.*,
                EXISTS (SELECT 1 FROM rules WHERE rules.tenant_id = req.tenant_id AND rules.id = req.rule_id AND rules.enabled) AS rule_enabled,
                EXISTS (SELECT 1 FROM deliveries d WHERE d.id = req.id AND d.status = 'succeeded') AS delivered
            FROM req),
        claimed AS (
            INSERT INTO delivery_claims (delivery_id, owner, lease_until, succeeded)
            SELECT id, owner, now() + lease, false FROM checked WHERE rule_enabled AND NOT delivered ORDER BY id
            ON CONFLICT (delivery_id) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
            WHERE NOT delivery_claims.succeeded AND (delivery_claims.owner IS NULL OR delivery_claims.lease_until < now())
            RETURNING delivery_id)
        SELECT checked.id, claimed.delivery_id IS NOT NULL, checked.rule_enabled, checked.delivered OR coalesce(c.succeeded, false), c.lease_until
        FROM checked
            LEFT JOIN claimed ON claimed.delivery_id = checked.id
            LEFT JOIN delivery_claims c ON c.delivery_id = checked.id
        """;

    public async Task<IReadOnlyList<ClaimAnswer>> ClaimAsync(IReadOnlyList<ClaimRequest> requests, CancellationToken cancellationToken)
    {
        await using var command = await database.CommandAsync(ClaimSql, cancellationToken);
        command.Parameters.Add(Text(requests.Select(r => r.DeliveryId)));
        command.Parameters.Add(Text(requests.Select(r => r.Owner)));
        command.Parameters.Add(Text(requests.Select(r => r.TenantId)));
        command.Parameters.Add(Text(requests.Select(r => r.RuleId)));
        command.Parameters.Add(Interval(requests.Select(r => r.Lease)));
        var answers = new List<ClaimAnswer>(requests.Count);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetString(0);
            var outcome = reader.GetBoolean(1) ? ClaimOutcome.Claimed
                : !reader.GetBoolean(2) ? ClaimOutcome.RuleNotEnabled
                : reader.GetBoolean(3) ? ClaimOutcome.Succeeded
                : ClaimOutcome.Held;
            DateTimeOffset? lease = reader.IsDBNull(4) ? null : new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(4), DateTimeKind.Utc));
            answers.Add(new ClaimAnswer(id, outcome, outcome == ClaimOutcome.Held ? lease : null));
        }
        return answers;
    }

    public async Task ReleaseAsync(string deliveryId, string owner, CancellationToken cancellationToken)
    {
        await using var command = await database.CommandAsync("UPDATE delivery_claims SET owner = NULL WHERE delivery_id = $1 AND owner = $2", cancellationToken);
        command.Parameters.Add(Scalar(deliveryId));
        command.Parameters.Add(Scalar(owner));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
