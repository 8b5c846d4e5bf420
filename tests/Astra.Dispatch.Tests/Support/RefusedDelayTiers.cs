using System.Collections.Concurrent;
using Astra.Dispatch.Delivery;

namespace Astra.Dispatch.Tests.Support;

/// <summary>Delay tiers as a broker that refuses some of them (a queue of that name with other arguments) would have them.</summary>
internal sealed class RefusedDelayTiers : IDelayTierAvailability
{
    private readonly ConcurrentDictionary<TimeSpan, bool> _refused = new();

    public void Refuse(params TimeSpan[] tiers)
    {
        foreach (var tier in tiers)
            _refused[tier] = true;
    }

    public ValueTask<bool> IsAvailableAsync(TimeSpan tier, CancellationToken cancellationToken) => ValueTask.FromResult(!_refused.ContainsKey(tier));

    public bool IsKnownUnavailable(TimeSpan tier) => _refused.ContainsKey(tier);
}
