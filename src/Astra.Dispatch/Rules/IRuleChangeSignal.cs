namespace Astra.Dispatch.Rules;

/// <summary>
/// Wakes the rule cache when another process changed the rules, sooner than its poll of the rules generation would
/// (PostgreSQL's LISTEN/NOTIFY); without such a channel (SQLite) it only waits for the poll.
/// </summary>
public interface IRuleChangeSignal
{
    /// <summary>Returns when a change was signalled or <paramref name="timeout"/> has passed, whichever comes first.</summary>
    Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>No change channel: the poll alone.</summary>
internal sealed class PollingRuleChangeSignal(TimeProvider time) : IRuleChangeSignal
{
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => Task.Delay(timeout, time, cancellationToken);
}
