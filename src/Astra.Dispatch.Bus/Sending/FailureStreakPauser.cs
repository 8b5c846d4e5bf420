using System.Collections.Concurrent;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Storage;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Bus.Sending;

/// <summary>
/// Pauses a rule whose deliveries have all failed for <c>Dispatch:Delivery:PauseAfter</c> (as Svix disables an
/// endpoint after 5 days of failures). Checked after a failed attempt, at most once per rule per interval, so
/// an outage does not turn every failure into a database query.
/// </summary>
public sealed class FailureStreakPauser(DeliveryStore deliveries, RulePauser pauser, IOptions<RetryOptions> options, TimeProvider time)
{
    private static readonly TimeSpan MaxCheckInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastChecked = new(StringComparer.Ordinal);

    /// <summary>True when the rule was paused by this call.</summary>
    public async Task<bool> CheckAsync(IPublishEndpoint publisher, CompiledRule rule, CancellationToken cancellationToken)
    {
        var pauseAfter = options.Value.PauseAfter;
        if (pauseAfter <= TimeSpan.Zero)
            return false;
        var now = time.GetUtcNow();
        var interval = pauseAfter / 4 < MaxCheckInterval ? pauseAfter / 4 : MaxCheckInterval;
        if (_lastChecked.TryGetValue(rule.Id, out var last) && now - last < interval)
            return false;
        _lastChecked[rule.Id] = now;

        if (!await deliveries.FailingSinceAsync(rule.Id, now - pauseAfter, cancellationToken))
            return false;
        await pauser.PauseAsync(publisher, rule, $"every delivery has failed for {Durations.Format(pauseAfter)}", cancellationToken);
        return true;
    }
}
