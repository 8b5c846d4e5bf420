using System.Text.Json;
using Astra.Dispatch.Dispatching;
using Astra.Dispatch.Storage;

namespace Astra.Dispatch.Management;

/// <summary>
/// Deliveries as people resend them, for the API and the CLI alike: <see cref="DeliveryResend"/>, and an audit entry for
/// every resend that went out (a refused one changed nothing).
/// </summary>
public sealed class DeliveryService(DeliveryResend resend, IAuditLog audit, TimeProvider time)
{
    /// <summary>
    /// Resends delivery <paramref name="deliveryId"/> (of <paramref name="tenantId"/> only, when given: another tenant's is
    /// not found) on behalf of <paramref name="actor"/>.
    /// </summary>
    public async Task<ResendResult> ResendAsync(string deliveryId, string? tenantId, Actor actor, CancellationToken cancellationToken)
    {
        var result = await resend.ResendAsync(deliveryId, tenantId, cancellationToken);
        if (result is { Status: ResendStatus.Sent, Delivery: { } delivery })
        {
            // The command is on its way: its record is written even if the caller has gone meanwhile (no token).
            await audit.AppendAsync(new AuditEntry
            {
                At = DeliveryBatch.Timestamp(time.GetUtcNow()),
                Actor = actor.Name,
                ActorKeyId = actor.KeyId,
                Action = "delivery.resent",
                TenantId = delivery.TenantId,
                Target = Target(delivery.TenantId, delivery.Id),
                Detail = JsonSerializer.Serialize(new { rule = delivery.RuleId, @event = delivery.EventId, previousStatus = delivery.Status }),
            }, CancellationToken.None);
        }
        return result;
    }

    /// <summary>The audit target of a delivery: <c>deliveries/&lt;tenant&gt;/&lt;id&gt;</c>.</summary>
    public static string Target(string tenantId, string deliveryId) => $"deliveries/{tenantId}/{deliveryId}";
}
