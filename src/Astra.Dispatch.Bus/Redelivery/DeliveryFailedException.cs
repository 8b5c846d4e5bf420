namespace Astra.Dispatch.Bus.Redelivery;

/// <summary>
/// Thrown by the send consumer when a delivery has failed for good: MassTransit moves the command to
/// <c>astra.dispatch.send_error</c>, and the fault-headers filter adds these details.
/// </summary>
internal sealed class DeliveryFailedException(string message, string deliveryId, string ruleId, int attempts, int? lastStatus)
    : Exception(message)
{
    public string DeliveryId { get; } = deliveryId;
    public string RuleId { get; } = ruleId;
    public int Attempts { get; } = attempts;
    public int? LastStatus { get; } = lastStatus;
}
