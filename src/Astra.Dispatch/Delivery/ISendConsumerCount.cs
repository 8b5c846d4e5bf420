namespace Astra.Dispatch.Delivery;

/// <summary>
/// How many workers consume <c>astra.dispatch.send</c> now: a rule's <c>rateLimit</c> holds for the fleet, each worker
/// taking its share. The bus provides the live count; without a bus (the CLI, tests) it is one.
/// </summary>
public interface ISendConsumerCount
{
    /// <summary>Live consumers, at least one.</summary>
    int Current { get; }
}

/// <summary>One worker: the whole limit is its own.</summary>
internal sealed class SingleSendConsumer : ISendConsumerCount
{
    public int Current => 1;
}
