using Astra.Dispatch.Catalog;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Dispatching;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Security;
using Astra.Dispatch.Storage;
using Astra.Dispatch.Storage.Sqlite;
using Astra.Dispatch.Telemetry;
using Astra.Dispatch.Templating;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Astra.Dispatch.Tests.Support;

/// <summary>
/// The dispatching decisions wired as the worker wires them, around the ports a test controls: a fake clock, a fixed
/// jitter, a scripted HTTP sender, and rules and delivery log in a SQLite file of a temp folder. The options are the
/// live objects: set them before the first call that reads them.
/// </summary>
internal sealed class DispatchHarness : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("astra-decisions-").FullName;
    private readonly SqliteDeliveryLogStore _logStore;
    private readonly SqliteClaimStore _claimStore;
    private readonly TestMeterFactory _meters = new();

    public DispatchHarness(double jitter = 0.5, params (string Name, string Value)[] secrets)
    {
        Secrets = new TempSecrets(secrets);
        var database = new SqliteDatabase(Options.Create(new DispatchOptions { Database = Path.Combine(_folder, "dispatch.db") }), Time);
        Store = new SqliteRuleStore(database, Time);
        _logStore = new SqliteDeliveryLogStore(database);
        _claimStore = new SqliteClaimStore(database, Time);
        // Leases run on the fake clock; the claims' batching linger (a millisecond) on the real one, so nothing waits for a tick.
        Claims = new DeliveryClaims(_claimStore, TimeProvider.System, NullLogger<DeliveryClaims>.Instance);
        Log = new WriteThroughDeliveryLog(_logStore);
        Telemetry = new DispatchTelemetry(_meters);
        Catalog = new RuleCatalog(Store, new RuleCompilerFactory(new RuleLimits(), Secrets.Store), Telemetry, NullLogger<RuleCatalog>.Instance);
        Schedule = new RetrySchedule(Options.Create(Retry), new FixedJitter(jitter));
        Breaker = new DestinationBreaker(Options.Create(Http), Time, NullLogger<DestinationBreaker>.Instance);
        Destinations = new DestinationLimiter(Options.Create(Http));
        Redactor = new Redactor([], Secrets.Store);
        var gate = new DeliveryGate(Breaker, Rates, new TenantLimiter(Options.Create(Http)), Destinations, Networks);
        var pausing = new RulePausing(Store, Catalog, Log, Options.Create(Retry), Time, NullLogger<RulePausing>.Instance);
        Attempt = new DeliveryAttempt(Catalog, gate, Claims, Sender, Redactor, Schedule, Log, new SucceededDeliveries(), pausing, Options.Create(Results),
            Options.Create(Http), Telemetry, Time, Tiers, NullLogger<DeliveryAttempt>.Instance);
        var liquid = new LiquidEngine();
        Matcher = new RuleMatcher(liquid);
        Renderer = new RequestRenderer(liquid, Options.Create(Http));
        Planner = new EventPlanner(Catalog, Matcher, Renderer, Breaker, Schedule, Log, Tiers, Networks, Telemetry, Time, NullLogger<EventPlanner>.Instance);
    }

    public FakeTimeProvider Time { get; } = new(Outcomes.Now);

    public HttpDeliveryOptions Http { get; } = new();

    /// <summary>The tenants' network policies: every tenant on the default one.</summary>
    public NetworkPolicies Networks { get; } = new(new NetworkOptions());

    public RetryOptions Retry { get; } = new();

    public ResultsOptions Results { get; } = new();

    public TempSecrets Secrets { get; }

    public ScriptedSender Sender { get; } = new();

    /// <summary>The delay tiers the broker would refuse (none unless a test says so).</summary>
    public RefusedDelayTiers Tiers { get; } = new();

    public IRuleStore Store { get; }

    public RuleCatalog Catalog { get; }

    public WriteThroughDeliveryLog Log { get; }

    public DispatchTelemetry Telemetry { get; }

    public RetrySchedule Schedule { get; }

    public DestinationBreaker Breaker { get; }

    public DestinationLimiter Destinations { get; }

    public RuleRateLimiters Rates { get; } = new(new SingleSendConsumer());

    /// <summary>Claims before send, on the same SQLite file.</summary>
    public DeliveryClaims Claims { get; }

    public Redactor Redactor { get; }

    public RuleMatcher Matcher { get; }

    public RequestRenderer Renderer { get; }

    public DeliveryAttempt Attempt { get; }

    public EventPlanner Planner { get; }

    public CancellationToken Token { get; } = new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    /// <summary>Stores the rules (as an import does) and loads them into the catalog.</summary>
    public async Task AddRulesAsync(params RuleDefinition[] rules)
    {
        await Store.ImportAsync(rules, source: null, new ImportLimits(), Token);
        await Catalog.RefreshAsync(Token);
    }

    /// <summary>Disables a stored rule (paused when a reason is given) and reloads the catalog.</summary>
    public async Task DisableAsync(string ruleId, string? pausedReason = null, string tenant = "acme")
    {
        await Store.SetEnabledAsync(tenant, ruleId, false, pausedReason, Token);
        await Catalog.RefreshAsync(Token);
    }

    /// <summary>A command as the planner makes it for <paramref name="eventId"/> and the rule.</summary>
    public static SendHttpAction Command(string ruleId = "r1", string tenant = "acme", string eventId = "evt_1", string url = ARule.Url) => new()
    {
        DeliveryId = DeliveryId.For(tenant, eventId, ruleId),
        EventId = eventId,
        EventType = "lead.captured",
        TenantId = tenant,
        AgentId = "sales",
        ConversationId = "conv_1",
        RuleId = ruleId,
        Method = "POST",
        Url = url,
        Body = """{"email":"ada@example.com"}""",
        ContentType = "application/json",
        OccurredAt = Outcomes.Now.AddSeconds(-1),
    };

    public Task<DeliveryDecision> RunAsync(SendHttpAction command, AttemptInfo? info = null) =>
        Attempt.RunAsync(command, info ?? AttemptInfo.First, Token);

    public void Dispose()
    {
        Catalog.Dispose();
        Rates.Dispose();
        Telemetry.Dispose();
        _meters.Dispose();
        Claims.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _claimStore.Dispose();
        _logStore.Dispose();
        Secrets.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
