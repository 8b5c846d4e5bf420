using Astra.Dispatch.Catalog;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Astra.Dispatch.Bus.Redelivery;

/// <summary>
/// Before the bus starts consuming: declares the command queue with its exchange, and a delay tier for every distinct
/// delay of the default schedule, the loaded rules and deferrals; tiers for rules added later are declared on first use.
/// A tier the broker refuses never stops the start: the rules whose schedule needs it are named in the log, and their
/// deliveries fail with a clear error when they would wait in it.
/// </summary>
internal sealed partial class DelayTierDeclarer(DelayTiers tiers, RetrySchedule schedule, RuleCatalog catalog, ILogger<DelayTierDeclarer> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await tiers.DeclareSendQueueAsync(cancellationToken);
        var rules = catalog.Current.All.ToList();
        await tiers.EnsureAllAsync(schedule.AllDelays(rules), cancellationToken);
        foreach (var refused in tiers.Refused)
        {
            if (!logger.IsEnabled(LogLevel.Warning))
                break;
            var affected = rules.Where(r => schedule.For(r).Contains(refused)).Select(r => $"{r.TenantId}/{r.Id}").ToList();
            var uses = schedule.Default.Contains(refused) ? "the default schedule" : RetrySchedule.DeferTiers.Contains(refused) ? "deferrals" : "no default";
            LogTierAffects(BusNames.DelayQueue(refused), affected.Count, string.Join(", ", affected.Take(20)), uses);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning,
        Message = "Delay tier {Queue} cannot be used: {Count} rule(s) retry through it ({Rules}), and {Uses} (deferrals move to another tier); their deliveries fail instead of retrying through it")]
    private partial void LogTierAffects(string queue, int count, string rules, string uses);
}
