using Astra.Dispatch.Contracts;

namespace Astra.Dispatch.Dispatching;

/// <summary>Makes one attempt of a delivery and decides what follows; the send consumer carries the decision out on the bus.</summary>
public interface IDeliveryAttempt
{
    /// <summary>Checks, sends, records and judges one attempt of <paramref name="command"/>.</summary>
    Task<DeliveryDecision> RunAsync(SendHttpAction command, AttemptInfo info, CancellationToken cancellationToken);
}
