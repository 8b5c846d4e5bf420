namespace Astra.Dispatch.Bus.Redelivery;

/// <summary>
/// Thrown by the send consumer to have MassTransit redeliver the command later through a delay tier.
/// The consumer has already chosen the delay (rule schedule, Retry-After, jitter) in the <see cref="RedeliveryPlan"/>.
/// </summary>
public sealed class TransientDeliveryException(string message) : Exception(message);

/// <summary>
/// Thrown by the send consumer when a delivery has failed for good: MassTransit moves the command to
/// <c>astra.dispatch.send_error</c>, and the fault-headers filter adds these details.
/// </summary>
public sealed class DeliveryFailedException(string message, string deliveryId, string ruleId, int attempts, int? lastStatus)
    : Exception(message)
{
    public string DeliveryId { get; } = deliveryId;
    public string RuleId { get; } = ruleId;
    public int Attempts { get; } = attempts;
    public int? LastStatus { get; } = lastStatus;
}
