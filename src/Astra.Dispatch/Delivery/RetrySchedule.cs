using Astra.Dispatch.Catalog;
using Astra.Dispatch.Rules;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Delivery;

/// <summary>
/// When the next attempt happens. Each delay of a schedule is a delay tier (a TTL queue); the actual wait is the
/// tier's delay spread by the configured jitter. A Retry-After goes to the smallest tier of the schedule that is at
/// least that long (capped at the longest), so it is never retried early.
/// </summary>
public sealed class RetrySchedule(IOptions<RetryOptions> options, IJitterSource jitter)
{
    /// <summary>
    /// The waits of a delivery deferred (not attempted) because its destination is saturated, its rule's rate limit is
    /// reached or its tenant is at its cap, by how many times in a row it was deferred: a destination that stays
    /// saturated, such as one hanging until every call times out, is asked less and less often instead of every second.
    /// </summary>
    public static readonly IReadOnlyList<TimeSpan> DeferTiers =
        [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)];

    private readonly Lazy<IReadOnlyList<TimeSpan>> _default = new(() =>
        [.. (options.Value.Schedule.Length > 0 ? options.Value.Schedule : RetryOptions.DefaultSchedule).Select(Durations.Parse)]);

    /// <summary>The configured default schedule (delays between attempts).</summary>
    public IReadOnlyList<TimeSpan> Default => _default.Value;

    /// <summary>The rule's own schedule, else the default.</summary>
    public IReadOnlyList<TimeSpan> For(CompiledRule rule) => rule.RetrySchedule ?? Default;

    /// <summary>Attempts in all: the first plus one per delay.</summary>
    public int MaxAttempts(CompiledRule rule) => For(rule).Count + 1;

    /// <summary>The tier and jittered wait after attempt <paramref name="attempt"/> failed; null when it was the last one.</summary>
    public (TimeSpan Tier, TimeSpan Wait)? NextDelay(CompiledRule rule, int attempt, TimeSpan? retryAfter)
    {
        var delays = For(rule);
        if (attempt > delays.Count)
            return null;
        if (retryAfter is { } asked)
        {
            // Never earlier than asked: the tier's own delay, without jitter below it.
            var tier = delays.Where(d => d >= asked).DefaultIfEmpty(delays.Max()).Min();
            return (tier, tier);
        }
        var delay = delays[attempt - 1];
        return (delay, Spread(delay));
    }

    /// <summary>
    /// The tier and wait of a deferral: the back-off for <paramref name="deferralsSoFar"/> deferrals in a row, at least
    /// <paramref name="retryAfter"/> (a rate limiter's next permit), spread by the jitter so deferred commands don't all
    /// come back at once.
    /// </summary>
    public (TimeSpan Tier, TimeSpan Wait) Defer(int deferralsSoFar, TimeSpan? retryAfter = null)
    {
        var tier = DeferTiers[Math.Clamp(deferralsSoFar, 0, DeferTiers.Count - 1)];
        if (retryAfter is { } asked && asked > tier)
            tier = DeferTiers.FirstOrDefault(t => t >= asked, DeferTiers[^1]);
        return (tier, DeferWait(tier, retryAfter));
    }

    /// <summary>The wait of a deferral through <paramref name="tier"/>: spread by the jitter, at least <paramref name="retryAfter"/>.</summary>
    public TimeSpan DeferWait(TimeSpan tier, TimeSpan? retryAfter = null)
    {
        var wait = Spread(tier);
        return retryAfter is { } floor && wait < floor ? floor : wait;
    }

    /// <summary>The delays in use whatever the rules say: the default schedule (as configured) and the deferral tiers.</summary>
    public static IEnumerable<TimeSpan> FixedDelays(RetryOptions options)
    {
        var schedule = options.Schedule.Length > 0 ? options.Schedule : RetryOptions.DefaultSchedule;
        var parsed = schedule.Select(s => Durations.TryParse(s, out var d) ? d : (TimeSpan?)null).OfType<TimeSpan>();
        return parsed.Concat(DeferTiers).Distinct();
    }

    /// <summary>Every distinct delay the rules, the default schedule and deferrals can ask for (the tiers to declare).</summary>
    public IEnumerable<TimeSpan> AllDelays(IEnumerable<CompiledRule> rules) =>
        rules.SelectMany(For).Concat(Default).Concat(DeferTiers).Distinct();

    private TimeSpan Spread(TimeSpan delay) => delay * (1 + (jitter.NextDouble() * 2 - 1) * options.Value.Jitter);
}
