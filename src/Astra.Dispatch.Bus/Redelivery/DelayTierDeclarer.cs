using Astra.Dispatch.Catalog;
using Astra.Dispatch.Delivery;
using Microsoft.Extensions.Hosting;

namespace Astra.Dispatch.Bus.Redelivery;

/// <summary>
/// Before the bus starts consuming: declares the command queue with its exchange, and a delay tier for every distinct
/// delay of the default schedule, the loaded rules and deferrals; tiers for rules added later are declared on first use.
/// </summary>
internal sealed class DelayTierDeclarer(DelayTiers tiers, RetrySchedule schedule, RuleCatalog catalog) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await tiers.DeclareSendQueueAsync(cancellationToken);
        await tiers.EnsureAllAsync(schedule.AllDelays(catalog.Current.All), cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
