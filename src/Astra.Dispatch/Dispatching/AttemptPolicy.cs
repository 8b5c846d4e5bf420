using Astra.Dispatch.Catalog;
using Astra.Dispatch.Delivery;

namespace Astra.Dispatch.Dispatching;

/// <summary>
/// The outcome table: what follows an attempt that came to <see cref="AttemptOutcome"/>. Success ends the delivery; a
/// transient failure is retried on the rule's schedule (a Retry-After choosing the tier) until it runs out; anything
/// else fails for good, and 410 Gone also pauses the rule.
/// </summary>
internal static class AttemptPolicy
{
    public static AttemptVerdict Decide(AttemptOutcome outcome, CompiledRule rule, int attempt, RetrySchedule schedule) => outcome.Kind switch
    {
        OutcomeKind.Succeeded => new AttemptVerdict.Succeeded(),
        OutcomeKind.Transient when schedule.NextDelay(rule, attempt, outcome.RetryAfter) is { } next => new AttemptVerdict.Retry(next.Tier, next.Wait),
        OutcomeKind.Transient => new AttemptVerdict.Fail($"gave up after {attempt} attempts: {outcome.Error}", PauseRule: false),
        _ => new AttemptVerdict.Fail(outcome.Error ?? "failed", PauseRule: outcome.Gone),
    };
}

/// <summary>The verdict of <see cref="AttemptPolicy"/>.</summary>
internal abstract record AttemptVerdict
{
    private AttemptVerdict()
    {
    }

    public sealed record Succeeded : AttemptVerdict;

    public sealed record Retry(TimeSpan Tier, TimeSpan Wait) : AttemptVerdict;

    public sealed record Fail(string Error, bool PauseRule) : AttemptVerdict;
}
