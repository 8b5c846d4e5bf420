using Astra.Dispatch.Delivery;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Secrets;
using Astra.Dispatch.Security;
using Astra.Dispatch.Storage;
using Astra.Dispatch.Telemetry;
using Astra.Dispatch.Templating;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Astra.Dispatch;

public static class DispatchServiceCollectionExtensions
{
    /// <summary>Rules, storage, rendering and HTTP delivery, configured from the <c>Dispatch</c> section.</summary>
    public static IServiceCollection AddDispatchCore(this IServiceCollection services)
    {
        services.AddOptions<DispatchOptions>().BindConfiguration(DispatchOptions.Section).ValidateOnStart();
        services.AddOptions<HttpDeliveryOptions>().BindConfiguration(HttpDeliveryOptions.Section)
            .Validate(o => o.AllowedNetworks.All(n => IpNetwork.TryParse(n, out _)), "Dispatch:Http:AllowedNetworks must hold CIDR blocks such as 127.0.0.0/8")
            .Validate(o => o.MaxConcurrencyPerDestination > 0 && o.MaxRequestBodyBytes > 0 && o.MaxResponseBodyBytes > 0, "Dispatch:Http limits must be positive")
            .Validate(o => o.TrustedCaCertificates.All(File.Exists), "Dispatch:Http:TrustedCaCertificates must name existing PEM files")
            .ValidateOnStart();
        services.AddOptions<TemplateLimits>().BindConfiguration(TemplateLimits.Section)
            .Validate(o => o.Validate() is null, "Dispatch:Templates limits must be positive (MaxNestingDepth at most 48)")
            .ValidateOnStart();
        services.AddOptions<RetryOptions>().BindConfiguration(RetryOptions.Section)
            .Validate(o => o.Schedule.All(s => Durations.TryParse(s, out var d) && d >= TimeSpan.FromSeconds(1)), "Dispatch:Delivery:Schedule must hold delays such as 5s, 5m, 2h (at least 1s)")
            .Validate(o => o.Jitter is >= 0 and <= 0.5, "Dispatch:Delivery:Jitter must be between 0 and 0.5")
            .Validate(o => o.ShutdownGrace >= TimeSpan.Zero, "Dispatch:Delivery:ShutdownGrace must not be negative")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SqliteDatabase>();
        services.AddSingleton<RuleStore>();
        services.AddSingleton<DeliveryStore>();
        services.AddSingleton<SecretStore>();
        services.AddSingleton<RuleCompilerFactory>();
        services.AddSingleton<RuleImporter>();
        services.AddSingleton<RuleCatalog>();
        services.AddSingleton<LiquidEngine>();
        services.AddSingleton<RequestRenderer>();
        services.AddSingleton<RetrySchedule>();
        services.AddSingleton<NetworkPolicy>();
        services.TryAddSingleton<IHostResolver, DnsHostResolver>();
        services.AddSingleton<SsrfGuard>();
        services.AddSingleton<Redactor>();
        services.AddSingleton<DestinationLimiter>();
        services.AddSingleton<DestinationBreaker>();
        services.AddSingleton<RuleRateLimiters>();
        services.AddSingleton<OAuth2TokenClient>();
        services.AddSingleton<AuthApplier>();
        services.AddSingleton<GuardedHttpHandlers>();
        services.AddSingleton<ClientCertificateClients>();
        services.AddSingleton<HttpActionSender>();
        services.AddMetrics();
        services.AddSingleton<DispatchTelemetry>();
        AddGuardedHttpClient(services, HttpActionSender.HttpClientName);
        AddGuardedHttpClient(services, OAuth2TokenClient.HttpClientName);
        return services;
    }

    /// <summary>The hosted parts a worker runs: the batched delivery log and the rules file import and watch.</summary>
    public static IServiceCollection AddDispatchWorkerServices(this IServiceCollection services)
    {
        services.AddSingleton<DeliveryJournal>();
        services.AddSingleton<DeliveryStatusLookup>();
        // Registered first so it stops last: the log is flushed after the consumers have stopped.
        services.AddHostedService(sp => sp.GetRequiredService<DeliveryJournal>());
        services.AddHostedService<RulesFileWatcher>();
        return services;
    }

    private static void AddGuardedHttpClient(IServiceCollection services, string name) =>
        services.AddHttpClient(name, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<GuardedHttpHandlers>().Create())
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            // The factory's default loggers write request URLs, which can carry query-string credentials.
            .RemoveAllLoggers();
}
