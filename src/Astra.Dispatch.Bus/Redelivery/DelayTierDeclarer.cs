using Astra.Dispatch.Delivery;
using Astra.Dispatch.Rules;
using Microsoft.Extensions.Hosting;

namespace Astra.Dispatch.Bus.Redelivery;

/// <summary>
/// Declares a delay tier for every distinct delay of the default schedule, the loaded rules and deferrals before the
/// bus starts consuming; tiers for rules added later are declared on first use.
/// </summary>
internal sealed class DelayTierDeclarer(DelayTiers tiers, RetrySchedule schedule, RuleCatalog catalog) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        tiers.EnsureAllAsync(schedule.AllDelays(catalog.Current.All), cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
