using Astra.Dispatch.Contracts;

namespace Astra.Dispatch.Dispatching;

/// <summary>
/// Puts a command on <c>astra.dispatch.send</c> (persistent, confirmed by the broker): how <see cref="DeliveryResend"/>
/// hands a delivery back to the workers. The host that resends provides it (the CLI over plain AMQP).
/// </summary>
public interface IDeliveryCommandSender
{
    /// <summary>Sends <paramref name="command"/>; returns once the broker has confirmed it.</summary>
    Task SendAsync(SendHttpAction command, CancellationToken cancellationToken);
}
