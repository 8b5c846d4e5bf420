using Astra.Dispatch.Catalog;
using Astra.Dispatch.Dispatching.Warmup;
using Astra.Dispatch.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// What <see cref="DispatchServiceCollectionExtensions.AddAstraDispatch"/> returns: the core is registered; each
/// <c>Add…</c> adds a part (the worker's hosted services here, the bus in Astra.Dispatch.Bus) in the order the host
/// must start and stop them, whatever order they are called in.
/// </summary>
public sealed class DispatchBuilder
{
    internal DispatchBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection being configured.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Whether <see cref="AddWorker"/> has run (the bus needs the worker's hosted services registered first).</summary>
    public bool HasWorker { get; private set; }

    /// <summary>
    /// The worker's hosted services: the delivery log's background writer, registered first so it stops last (after
    /// the consumers, its queue is flushed), the rules-file import and watch, the log's retention, and the warm-up that
    /// holds readiness until the hot paths have run once. Idempotent.
    /// </summary>
    public DispatchBuilder AddWorker()
    {
        if (HasWorker)
            return this;
        HasWorker = true;
        Services.AddHostedService(sp => (DeliveryLog)sp.GetRequiredService<IDeliveryLog>());
        Services.AddHostedService<RulesFileWatcher>();
        Services.AddHostedService<DeliveryLogRetention>();
        Services.AddOptions<WarmupOptions>().BindConfiguration(WarmupOptions.Section)
            .Validate(o => o.Timeout > TimeSpan.Zero, "Dispatch:Warmup:Timeout must be positive")
            .ValidateOnStart();
        Services.AddSingleton<IWarmupStep, PlanningWarmup>();
        Services.AddSingleton<IWarmupStep, HttpWarmup>();
        Services.AddSingleton<StartupWarmup>();
        Services.AddHostedService(sp => sp.GetRequiredService<StartupWarmup>());
        return this;
    }
}
