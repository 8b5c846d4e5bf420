using Astra.Dispatch.Bus.Operations;
using Astra.Dispatch.Catalog;
using Astra.Dispatch.Console.Authentication;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Storage;

namespace Astra.Dispatch.Console.Api;

/// <summary><c>/api/v1/status</c>: what <c>astra-dispatch status</c> shows, scoped to the key's tenant where it can be.</summary>
internal static class StatusApi
{
    public static void Map(RouteGroupBuilder status) =>
        status.MapGet("", GetAsync).WithName("GetStatus")
            .WithSummary("Broker and queues (depth, consumers; keys without a tenant only), deliveries per status over the last hour, rule counts and paused rules.")
            .Produces<StatusResponse>();

    private static async Task<IResult> GetAsync(HttpContext context, QueueProbe probe, BrokerConnector broker, RuleCatalog catalog, RetrySchedule schedule,
        IRuleStore rules, IDeliverySearch deliveries, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.Of(context);
        var (_, stored) = await rules.LoadAllAsync(cancellationToken);
        var visible = stored.Where(r => caller.Sees(r.TenantId)).ToList();
        var counts = new RuleCountsResponse(visible.Count, visible.Count(r => r.Enabled), visible.Count(r => !r.Enabled && r.PausedReason is null),
            visible.Count(r => !r.Enabled && r.PausedReason is not null));
        var paused = visible.Where(r => !r.Enabled && r.PausedReason is not null)
            .Select(r => new PausedRule(r.TenantId, r.Id, r.PausedReason!, r.UpdatedAt)).ToList();
        var outcomes = await deliveries.CountByStatusAsync(caller.TenantId, time.GetUtcNow().AddHours(-1), cancellationToken);

        IReadOnlyList<QueueState>? queues = null;
        string? error = null;
        try
        {
            await catalog.RefreshAsync(cancellationToken);
            var tiers = schedule.AllDelays(catalog.Current.All).Order().Select(BusNames.DelayQueue);
            var states = await probe.ProbeAsync([BusNames.EventsQueue, BusNames.SendQueue, .. tiers, BusNames.EventsErrorQueue, BusNames.SendErrorQueue],
                cancellationToken);
            // Queues are shared by every tenant: their depths say nothing a tenant key may know.
            queues = caller.TenantId is null ? states : null;
        }
        catch (BrokerUnavailableException ex)
        {
            error = ex.Message;
        }
        return TypedResults.Ok(new StatusResponse(new BrokerState(broker.Display, error is null, error), queues, outcomes, counts, paused));
    }
}
