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

    /// <summary>Every distinct delay the rules and the default schedule can ask for (the tiers to declare).</summary>
    public IEnumerable<TimeSpan> AllDelays(IEnumerable<CompiledRule> rules) =>
        rules.SelectMany(For).Concat(Default).Distinct();
}
