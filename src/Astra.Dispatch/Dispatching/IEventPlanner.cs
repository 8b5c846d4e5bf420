using Astra.Dispatch.Contracts;

namespace Astra.Dispatch.Dispatching;

/// <summary>Decides what one conversation event becomes; the event consumer carries the plan out on the bus.</summary>
public interface IEventPlanner
{
    /// <summary>Validates, matches and renders the event into its plan.</summary>
    Task<EventPlan> PlanAsync(ConversationEvent e, EventReceipt receipt, CancellationToken cancellationToken);

    /// <summary>Records the plan in the delivery log, once the broker has confirmed its commands.</summary>
    Task RecordAsync(EventPlan plan, CancellationToken cancellationToken);
}
