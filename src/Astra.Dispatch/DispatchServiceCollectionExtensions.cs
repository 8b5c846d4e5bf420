using Astra.Dispatch;
using Astra.Dispatch.Catalog;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Dispatching;
using Astra.Dispatch.Management;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Secrets;
using Astra.Dispatch.Security;
using Astra.Dispatch.Storage;
using Astra.Dispatch.Storage.Postgres;
using Astra.Dispatch.Storage.Sqlite;
using Astra.Dispatch.Telemetry;
using Astra.Dispatch.Templating;
using Astra.Dispatch.Tenancy;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of Astra.Dispatch.</summary>
public static class DispatchServiceCollectionExtensions
{
    /// <summary>
    /// The core, configured from the <c>Dispatch</c> section: rules, storage, rendering, HTTP delivery and the
    /// dispatching decisions. Every service is added with <c>TryAdd</c>, so a host or a test may replace any of them
    /// first. Add the worker's hosted services with <see cref="DispatchBuilder.AddWorker"/>.
    /// </summary>
    public static DispatchBuilder AddAstraDispatch(this IServiceCollection services)
    {
        AddOptions(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IJitterSource, SharedJitterSource>();
        services.AddMetrics();
        services.TryAddSingleton<DispatchTelemetry>();

        // Storage and rules.
        AddStorage(services);
        services.TryAddSingleton<SecretStore>();
        services.TryAddSingleton(sp => RuleLimitsFrom(sp.GetRequiredService<IOptions<HttpDeliveryOptions>>().Value, sp.GetRequiredService<IOptions<DispatchOptions>>().Value,
            sp.GetRequiredService<IOptions<TemplateLimits>>().Value, sp.GetRequiredService<NetworkPolicies>(), sp.GetRequiredService<IOptions<RetryOptions>>().Value));
        services.TryAddSingleton<RuleCompilerFactory>();
        services.TryAddSingleton<RuleImporter>();
        services.TryAddSingleton<RuleCatalog>();

        // Rendering, security and HTTP delivery.
        services.TryAddSingleton<LiquidEngine>();
        services.TryAddSingleton<RequestRenderer>();
        services.TryAddSingleton<RetrySchedule>();
        services.TryAddSingleton<IDelayTierAvailability, EveryDelayTierAvailable>();
        services.TryAddSingleton<NetworkPolicies>();
        services.TryAddSingleton<IHostResolver, DnsHostResolver>();
        services.TryAddSingleton<DestinationReach>();
        services.TryAddSingleton<SsrfGuard>();
        services.TryAddSingleton<Redactor>();
        services.TryAddSingleton<DestinationLimiter>();
        services.TryAddSingleton<DestinationBreaker>();
        services.TryAddSingleton<TenantLimiter>();
        services.TryAddSingleton<ISendConsumerCount, SingleSendConsumer>();
        services.TryAddSingleton<RuleRateLimiters>();
        services.TryAddSingleton<OAuth2TokenClient>();
        services.TryAddSingleton<AuthApplier>();
        services.TryAddSingleton<GuardedHttpHandlers>();
        services.TryAddSingleton(sp => new GuardedHttpClients(sp.GetRequiredService<GuardedHttpHandlers>(), sp.GetRequiredService<NetworkPolicies>()));
        services.TryAddSingleton<ClientCertificateClients>();
        services.TryAddSingleton<IHttpActionSender, HttpActionSender>();

        // The decisions the consumers carry out.
        services.TryAddSingleton<RuleMatcher>();
        services.TryAddSingleton<PublisherBinding>();
        services.TryAddSingleton<IEventPlanner, EventPlanner>();
        services.TryAddSingleton<DeliveryGate>();
        services.TryAddSingleton<SucceededDeliveries>();
        services.TryAddSingleton<DeliveryClaims>();
        services.TryAddSingleton<RulePausing>();
        services.TryAddSingleton<IDeliveryAttempt, DeliveryAttempt>();
        // Needs an IDeliveryCommandSender from the host that resends (the CLI).
        services.TryAddSingleton(sp => new DeliveryResend(sp.GetRequiredService<IDeliveryLogStore>(), sp.GetRequiredService<IRuleStore>(),
            sp.GetRequiredService<RuleCompilerFactory>(), sp.GetRequiredService<RequestRenderer>(), sp.GetRequiredService<IDeliveryCommandSender>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<DeliveryResend>>()));
        services.TryAddSingleton(sp => new RuleDryRun(sp.GetRequiredService<RuleMatcher>(), sp.GetRequiredService<RequestRenderer>(),
            sp.GetRequiredService<Redactor>(), sp.GetRequiredService<IHttpActionSender>(), sp.GetRequiredService<TimeProvider>()));

        // Management: what the API and the CLI change, with revisions and the audit log (stores in AddStorage).
        services.TryAddSingleton<RuleService>();
        services.TryAddSingleton<DeliveryService>();
        services.TryAddSingleton<KeyService>();
        return new DispatchBuilder(services);
    }

    /// <summary>
    /// The database <c>Dispatch:Database</c> names, chosen when first resolved: a <c>postgresql://</c> URL selects the
    /// PostgreSQL stores, anything else the SQLite file. Only the chosen side is ever built.
    /// </summary>
    private static void AddStorage(IServiceCollection services)
    {
        services.TryAddSingleton<SqliteDatabase>();
        services.TryAddSingleton<SqliteRuleStore>();
        services.TryAddSingleton<SqliteDeliveryLogStore>();
        services.TryAddSingleton<SqliteClaimStore>();
        services.TryAddSingleton<PostgresDatabase>();
        services.TryAddSingleton<PostgresRuleStore>();
        services.TryAddSingleton<PostgresDeliveryLogStore>();
        services.TryAddSingleton<PostgresClaimStore>();
        services.TryAddSingleton<PollingRuleChangeSignal>();
        services.TryAddSingleton<PostgresRuleListener>();
        services.TryAddSingleton<IDispatchDatabase>(Chosen<IDispatchDatabase, SqliteDatabase, PostgresDatabase>);
        services.TryAddSingleton<IRuleStore>(Chosen<IRuleStore, SqliteRuleStore, PostgresRuleStore>);
        services.TryAddSingleton<IDeliveryLogStore>(Chosen<IDeliveryLogStore, SqliteDeliveryLogStore, PostgresDeliveryLogStore>);
        services.TryAddSingleton<IDeliveryClaimStore>(Chosen<IDeliveryClaimStore, SqliteClaimStore, PostgresClaimStore>);
        services.TryAddSingleton<IRuleChangeSignal>(Chosen<IRuleChangeSignal, PollingRuleChangeSignal, PostgresRuleListener>);
        services.TryAddSingleton<IDeliveryLog, DeliveryLog>();

        services.TryAddSingleton<SqliteRuleChangeStore>();
        services.TryAddSingleton<SqliteApiKeyStore>();
        services.TryAddSingleton<SqliteAuditLog>();
        services.TryAddSingleton<SqliteDeliverySearch>();
        services.TryAddSingleton<PostgresRuleChangeStore>();
        services.TryAddSingleton<PostgresApiKeyStore>();
        services.TryAddSingleton<PostgresAuditLog>();
        services.TryAddSingleton<PostgresDeliverySearch>();
        services.TryAddSingleton<IRuleChangeStore>(Chosen<IRuleChangeStore, SqliteRuleChangeStore, PostgresRuleChangeStore>);
        services.TryAddSingleton<IApiKeyStore>(Chosen<IApiKeyStore, SqliteApiKeyStore, PostgresApiKeyStore>);
        services.TryAddSingleton<IAuditLog>(Chosen<IAuditLog, SqliteAuditLog, PostgresAuditLog>);
        services.TryAddSingleton<IDeliverySearch>(Chosen<IDeliverySearch, SqliteDeliverySearch, PostgresDeliverySearch>);
    }

    private static TService Chosen<TService, TSqlite, TPostgres>(IServiceProvider services)
        where TService : notnull
        where TSqlite : notnull, TService
        where TPostgres : notnull, TService =>
        DatabaseUrl.IsPostgres(services.GetRequiredService<IOptions<DispatchOptions>>().Value.Database)
            ? services.GetRequiredService<TPostgres>()
            : services.GetRequiredService<TSqlite>();

    private static void AddOptions(IServiceCollection services)
    {
        services.AddOptions<DispatchOptions>().BindConfiguration(DispatchOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DispatchOptions>, DatabaseOptionsValidator>());
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section)
            .Validate(o => o.Retention >= TimeSpan.Zero, "Dispatch:Delivery:Retention must not be negative (0 keeps everything)")
            .ValidateOnStart();
        services.AddOptions<NetworkOptions>().BindConfiguration(NetworkOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<NetworkOptions>, NetworkOptionsValidator>();
        services.AddOptions<RedactionOptions>().BindConfiguration(RedactionOptions.Section);
        services.AddOptions<HttpDeliveryOptions>().BindConfiguration(HttpDeliveryOptions.Section)
            .Validate(o => o.MaxConcurrencyPerDestination > 0 && o.MaxConcurrencyPerTenant > 0 && o.MaxRequestBodyBytes > 0 && o.MaxResponseBodyBytes > 0,
                "Dispatch:Http limits must be positive")
            .Validate(o => o.TrustedCaCertificates.All(File.Exists), "Dispatch:Http:TrustedCaCertificates must name existing PEM files")
            .ValidateOnStart();
        services.AddOptions<TemplateLimits>().BindConfiguration(TemplateLimits.Section)
            .Validate(o => o.Validate() is null, "Dispatch:Templates limits must be positive (MaxNestingDepth at most 48)")
            .ValidateOnStart();
        services.AddOptions<RetryOptions>().BindConfiguration(RetryOptions.Section)
            .Validate(o => o.Schedule.All(s => Durations.TryParse(s, out var d) && Durations.IsWholeSeconds(d)),
                "Dispatch:Delivery:Schedule must hold whole-second delays such as 5s, 5m, 2h (at least 1s)")
            .Validate(o => o.Jitter is >= 0 and <= 0.5, "Dispatch:Delivery:Jitter must be between 0 and 0.5")
            .Validate(o => o.ShutdownGrace >= TimeSpan.Zero, "Dispatch:Delivery:ShutdownGrace must not be negative")
            .Validate(o => o.MaxDelayTiers >= RetrySchedule.FixedDelays(o).Count(),
                "Dispatch:Delivery:MaxDelayTiers must leave room for the default schedule and the deferral tiers")
            .ValidateOnStart();
        services.AddOptions<ResultsOptions>().BindConfiguration(ResultsOptions.Section);
        services.AddOptions<TenancyOptions>().BindConfiguration(TenancyOptions.Section)
            .Validate(o => o.Validate() is null, "Dispatch:Tenancy:Publishers must map broker users to tenant ids or *")
            .ValidateOnStart();
    }

    /// <summary>The import-time bounds of rules, from the HTTP limits and the per-tenant rule count.</summary>
    private static RuleLimits RuleLimitsFrom(HttpDeliveryOptions http, DispatchOptions dispatch, TemplateLimits templates, NetworkPolicies networks, RetryOptions retry) => new()
    {
        MaxDelayTiers = retry.MaxDelayTiers,
        FixedDelayTiers = [.. RetrySchedule.FixedDelays(retry)],
        Templates = templates,
        Networks = networks,
        AllowPlainHttp = http.AllowPlainHttp,
        MaxHeaders = http.MaxHeaders,
        MaxUrlLength = http.MaxUrlLength,
        MaxRulesPerTenant = dispatch.MaxRulesPerTenant,
    };
}
