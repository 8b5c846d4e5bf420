using Astra.Dispatch.Bus.Operations;
using Astra.Dispatch.Catalog;
using Astra.Dispatch.Console.Web;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Storage;

namespace Astra.Dispatch.Console.Pages;

/// <summary>
/// <c>/status</c>: what <c>GET /api/v1/status</c> tells (broker, queues, rule counts, paused rules) plus deliveries per
/// minute by outcome and the fleet's size (consumers of <c>astra.dispatch.send</c>). Queues are shared by every tenant,
/// so a tenant key sees no queue, as in the API.
/// </summary>
internal sealed class StatusModel(QueueProbe probe, BrokerConnector broker, RuleCatalog catalog, RetrySchedule schedule, IRuleStore rules,
    IDeliverySearch deliveries, TimeProvider time) : ConsolePage
{
    public DateTimeOffset Now { get; private set; }

    public string Broker => broker.Display;

    public string? BrokerError { get; private set; }

    public IReadOnlyList<QueueState>? Queues { get; private set; }

    public IReadOnlyList<StoredRule> Paused { get; private set; } = [];

    public (int Total, int Enabled, int Disabled, int Paused) Counts { get; private set; }

    public RateChart Chart { get; private set; } = null!;

    /// <summary>Workers consuming deliveries: each replica holds one consumer on the send queue.</summary>
    public uint? Replicas => Queues?.FirstOrDefault(q => q.Name == BusNames.SendQueue)?.Consumers;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Now = time.GetUtcNow();
        var (_, stored) = await rules.LoadAllAsync(cancellationToken);
        var visible = stored.Where(r => Caller.Sees(r.TenantId)).ToList();
        Paused = [.. visible.Where(r => !r.Enabled && r.PausedReason is not null).OrderBy(r => r.TenantId, StringComparer.Ordinal).ThenBy(r => r.Id, StringComparer.Ordinal)];
        Counts = (visible.Count, visible.Count(r => r.Enabled), visible.Count(r => !r.Enabled && r.PausedReason is null), Paused.Count);
        Chart = new RateChart(await deliveries.CountPerMinuteAsync(Caller.TenantId, Now.AddMinutes(-RateChart.Minutes), cancellationToken), Now);
        try
        {
            await catalog.RefreshAsync(cancellationToken);
            var tiers = schedule.AllDelays(catalog.Current.All).Order().Select(BusNames.DelayQueue);
            var states = await probe.ProbeAsync([BusNames.EventsQueue, BusNames.SendQueue, .. tiers, BusNames.EventsErrorQueue, BusNames.SendErrorQueue], cancellationToken);
            Queues = Caller.TenantId is null ? states : null;
        }
        catch (BrokerUnavailableException ex)
        {
            BrokerError = ex.Message;
        }
    }
}
