using System.Collections.Concurrent;
using Astra.Dispatch.Catalog;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Dispatching;

/// <summary>
/// Pauses rules (disabled, with the reason, in the shared rule store so every worker stops them): at once when an
/// endpoint answers 410 Gone, and when every delivery of a rule has failed for <c>Dispatch:Delivery:PauseAfter</c>
/// (as Svix disables an endpoint after 5 days of failures). The failure streak is checked after a failed attempt, at
/// most once per rule per interval, so an outage does not turn every failure into a database query.
/// </summary>
internal sealed partial class RulePausing(
    IRuleStore store, RuleCatalog catalog, IDeliveryLog log, IOptions<RetryOptions> options, TimeProvider time, ILogger<RulePausing> logger)
{
    private static readonly TimeSpan MaxCheckInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastChecked = new(StringComparer.Ordinal);

    /// <summary>Pauses the rule; the announcement to publish, or null when it was not enabled (already paused, deleted).</summary>
    public async Task<RulePaused?> PauseAsync(CompiledRule rule, string reason, CancellationToken cancellationToken)
    {
        try
        {
            if (!await store.SetEnabledAsync(rule.TenantId, rule.Id, false, reason, cancellationToken))
                return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The attempt is recorded either way; the next 410 or failure check pauses the rule.
            LogPauseFailed(ex, rule.Id);
            return null;
        }
        LogPaused(rule.Id, reason);
        await catalog.RefreshAsync(cancellationToken);
        return new RulePaused { RuleId = rule.Id, TenantId = rule.TenantId, Reason = reason, PausedAt = time.GetUtcNow() };
    }

    /// <summary>After a failed attempt: pauses the rule if all its deliveries have failed for the configured time.</summary>
    public async Task<RulePaused?> CheckFailureStreakAsync(CompiledRule rule, CancellationToken cancellationToken)
    {
        var pauseAfter = options.Value.PauseAfter;
        if (pauseAfter <= TimeSpan.Zero)
            return null;
        var now = time.GetUtcNow();
        var interval = pauseAfter / 4 < MaxCheckInterval ? pauseAfter / 4 : MaxCheckInterval;
        var key = $"{rule.TenantId}/{rule.Id}";
        if (_lastChecked.TryGetValue(key, out var last) && now - last < interval)
            return null;
        _lastChecked[key] = now;
        try
        {
            if (!await log.FailingSinceAsync(rule.TenantId, rule.Id, now - pauseAfter, cancellationToken))
                return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogPauseFailed(ex, rule.Id);
            return null;
        }
        return await PauseAsync(rule, $"every delivery has failed for {Durations.Format(pauseAfter)}", cancellationToken);
    }

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Checking or pausing rule {RuleId} failed; the next failure tries again")]
    private partial void LogPauseFailed(Exception exception, string ruleId);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Rule {RuleId} paused: {Reason}")]
    private partial void LogPaused(string ruleId, string reason);
}
