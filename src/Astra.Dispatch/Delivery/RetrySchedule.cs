using Astra.Dispatch.Rules;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Delivery;

/// <summary>
/// When the next attempt happens. Each delay of a schedule is a delay tier (a TTL queue); the actual wait is
/// the tier's delay spread by the configured jitter. A Retry-After goes to the smallest tier of the schedule
/// that is at least that long (capped at the longest), so it is never retried early.
/// </summary>
public sealed class RetrySchedule(IOptions<RetryOptions> options)
{
    private readonly Lazy<IReadOnlyList<TimeSpan>> _default = new(() =>
        [.. (options.Value.Schedule.Length > 0 ? options.Value.Schedule : RetryOptions.DefaultSchedule).Select(Durations.Parse)]);

    public IReadOnlyList<TimeSpan> Default => _default.Value;

    public IReadOnlyList<TimeSpan> For(CompiledRule rule) => rule.RetrySchedule ?? Default;

    /// <summary>Attempts in all: the first plus one per delay.</summary>
    public int MaxAttempts(CompiledRule rule) => For(rule).Count + 1;

    /// <summary>Null when <paramref name="attempt"/> was the last one.</summary>
    public (TimeSpan Tier, TimeSpan Wait)? NextDelay(CompiledRule rule, int attempt, TimeSpan? retryAfter)
    {
        var delays = For(rule);
        if (attempt > delays.Count)
            return null;
        if (retryAfter is { } asked)
        {
            var tier = delays.Where(d => d >= asked).DefaultIfEmpty(delays.Max()).Min();
            return (tier, tier);
        }
        var delay = delays[attempt - 1];
        var spread = (Random.Shared.NextDouble() * 2 - 1) * options.Value.Jitter;
        return (delay, delay * (1 + spread));
    }

    /// <summary>
    /// The waits of a delivery deferred (not attempted) because its destination is saturated or its rule's rate limit
    /// is reached, by how many times in a row it was deferred: a destination that stays saturated, such as one hanging
    /// until every call times out, is asked less and less often instead of every second.
    /// </summary>
    public static readonly IReadOnlyList<TimeSpan> DeferTiers =
        [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)];

    public static TimeSpan DeferTier(int deferralsSoFar) => DeferTiers[Math.Clamp(deferralsSoFar, 0, DeferTiers.Count - 1)];

    /// <summary>Every distinct delay the rules, the default schedule and deferrals can ask for (the tiers to declare).</summary>
    public IEnumerable<TimeSpan> AllDelays(IEnumerable<CompiledRule> rules) =>
        rules.SelectMany(For).Concat(Default).Concat(DeferTiers).Distinct();
}
