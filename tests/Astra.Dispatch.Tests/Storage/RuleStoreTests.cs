using Astra.Dispatch.Rules;

namespace Astra.Dispatch.Tests.Storage;

/// <summary>Rules are identified by (tenant, id) on each database: no tenant can take over or reach another's rule.</summary>
public sealed class RuleStoreTests
{
    private readonly CancellationToken _token = new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task ImportAsync_SameIdUnderAnotherTenant_AddsASecondRuleInsteadOfReowning(string backend)
    {
        await using var db = await StorageBackend.CreateAsync(backend);
        var store = db.Rules;
        await store.ImportAsync([Rule("acme", "crm-new-lead", "https://crm.acme.example/leads")], null, 100, _token);

        var summary = await store.ImportAsync([Rule("evil", "crm-new-lead", "https://evil.example/steal")], null, 100, _token);

        Assert.Equal(1, summary.Added);
        var acme = await store.GetAsync("acme", "crm-new-lead", _token);
        Assert.Contains("crm.acme.example", acme!.Definition, StringComparison.Ordinal);
        Assert.Equal(["acme", "evil"], (await store.FindByIdAsync("crm-new-lead", _token)).Select(r => r.TenantId));
    }

    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task SetEnabledAndDelete_OtherTenantsRuleOfTheSameId_Untouched(string backend)
    {
        await using var db = await StorageBackend.CreateAsync(backend);
        var store = db.Rules;
        await store.ImportAsync([Rule("acme", "r1"), Rule("evil", "r1")], null, 100, _token);

        Assert.True(await store.SetEnabledAsync("evil", "r1", false, null, _token));
        Assert.True(await store.DeleteAsync("evil", "r1", _token));

        var acme = await store.GetAsync("acme", "r1", _token);
        Assert.True(acme!.Enabled);
        Assert.Null(await store.GetAsync("evil", "r1", _token));
        Assert.False(await store.DeleteAsync("nobody", "r1", _token));
    }

    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task ImportAsync_TenantOverItsLimitWithStoredRules_RefusedAndNothingWritten(string backend)
    {
        await using var db = await StorageBackend.CreateAsync(backend);
        var store = db.Rules;
        await store.ImportAsync([Rule("acme", "a"), Rule("acme", "b")], "first.yaml", 3, _token);

        var ex = await Assert.ThrowsAsync<RuleValidationException>(() =>
            store.ImportAsync([Rule("acme", "c"), Rule("acme", "d")], "second.yaml", 3, _token));

        Assert.Contains("tenant 'acme' would have 4 rules; the limit is 3", ex.Message, StringComparison.Ordinal);
        Assert.Null(await store.GetAsync("acme", "c", _token));
    }

    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task ImportAsync_FromASource_RemovesOnlyThatSourcesMissingRules(string backend)
    {
        await using var db = await StorageBackend.CreateAsync(backend);
        var store = db.Rules;
        await store.ImportAsync([Rule("acme", "a"), Rule("evil", "a")], "rules.yaml", 100, _token);
        await store.ImportAsync([Rule("acme", "b")], "other.yaml", 100, _token);

        var summary = await store.ImportAsync([Rule("acme", "a")], "rules.yaml", 100, _token);

        Assert.Equal(1, summary.Removed);
        var (_, rules) = await store.LoadAllAsync(_token);
        Assert.Equal(["acme/a", "acme/b"], rules.Select(r => $"{r.TenantId}/{r.Id}"));
    }

    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task ImportAsync_UnchangedChangedAndPaused_VersionStateAndGenerationAsOnEveryDatabase(string backend)
    {
        await using var db = await StorageBackend.CreateAsync(backend);
        var store = db.Rules;
        var first = await store.ImportAsync([Rule("acme", "a"), Rule("acme", "b")], "rules.yaml", 100, _token);
        var generation = await store.GetGenerationAsync(_token);
        await store.SetEnabledAsync("acme", "a", false, "endpoint answered 410 Gone", _token);

        var again = await store.ImportAsync([Rule("acme", "a"), Rule("acme", "b", "https://api.example.com/changed")], "rules.yaml", 100, _token);

        Assert.Equal(new ImportSummary(2, 0, 0, 0), first);
        Assert.Equal(new ImportSummary(0, 1, 1, 0), again);
        var (loadedAt, rules) = await store.LoadAllAsync(_token);
        Assert.Equal(generation + 2, loadedAt);
        var a = rules.Single(r => r.Id == "a");
        var b = rules.Single(r => r.Id == "b");
        // An unchanged definition keeps its version and its state: a paused rule stays paused across restarts.
        Assert.Equal((1L, false, "endpoint answered 410 Gone"), (a.Version, a.Enabled, a.PausedReason));
        Assert.Equal((2L, true, "rules.yaml"), (b.Version, b.Enabled, b.Source));
        Assert.True(DateTimeOffset.TryParseExact(b.UpdatedAt, "O", null, System.Globalization.DateTimeStyles.None, out _), b.UpdatedAt);
    }

    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task Migration_DatabaseKeyedByIdOnly_KeepsEveryRuleUnderItsTenant(string backend)
    {
        await using var db = await StorageBackend.CreateAsync(backend);
        // A database as the first schema left it: rules keyed by id alone.
        await db.ExecuteAsync(await File.ReadAllTextAsync(FirstMigration(db), _token));
        await db.ExecuteAsync(db.IsPostgres
            ? "CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)"
            : "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
        await db.ExecuteAsync("INSERT INTO schema_migrations VALUES (1, '0001_initial.sql', '2026-11-01T00:00:00.0000000+00:00')");
        await db.ExecuteAsync(
            $$"""
            INSERT INTO rules (id, tenant_id, definition, version, enabled, paused_reason, source, updated_at)
            VALUES ('crm', 'acme', '{"id":"crm","tenantId":"acme"}', 3, {{(db.IsPostgres ? "false" : "0")}}, 'endpoint answered 410 Gone', 'rules.yaml', '2026-11-02T00:00:00.0000000+00:00')
            """);

        var store = db.Rules;
        var migrated = await store.GetAsync("acme", "crm", _token);

        Assert.NotNull(migrated);
        Assert.Equal((3L, false, "endpoint answered 410 Gone"), (migrated.Version, migrated.Enabled, migrated.PausedReason));
        await store.ImportAsync([Rule("evil", "crm")], null, 100, _token);
        Assert.Equal(2, (await store.FindByIdAsync("crm", _token)).Count);
        Assert.Equal(1, await db.ScalarAsync("SELECT COUNT(*) FROM schema_migrations WHERE version = 2"));
    }

    private static RuleDefinition Rule(string tenant, string id, string url = "https://api.example.com/hook") => new()
    {
        Id = id,
        TenantId = tenant,
        Trigger = new TriggerDefinition { Events = ["lead.captured"] },
        Request = new RequestDefinition { Url = url },
    };

    private static string FirstMigration(StorageBackend db)
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Astra.Dispatch.sln")))
            folder = folder.Parent;
        return Path.Combine(folder!.FullName, $"src/Astra.Dispatch/Storage/{(db.IsPostgres ? "Postgres" : "Sqlite")}/Migrations/0001_initial.sql");
    }
}

/// <summary>LISTEN/NOTIFY: a rule change made anywhere wakes every PostgreSQL worker's rule cache at once.</summary>
public sealed class RuleChangeSignalTests
{
    [Fact]
    public async Task Postgres_RuleDisabledByAnotherProcess_ListenerWakesLongBeforeThePoll()
    {
        var token = new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;
        await using var worker = await StorageBackend.CreateAsync("postgres");
        await worker.Rules.ImportAsync([new RuleDefinition
        {
            Id = "r1",
            TenantId = "acme",
            Trigger = new TriggerDefinition { Events = ["lead.captured"] },
            Request = new RequestDefinition { Url = "https://api.example.com/hook" },
        }], null, 100, token);
        var signal = worker.Get<IRuleChangeSignal>();
        // The first wait returns at once: every (re)LISTEN asks for a re-read, since notifications sent before were missed.
        var first = System.Diagnostics.Stopwatch.StartNew();
        await signal.WaitAsync(TimeSpan.FromSeconds(30), token);
        Assert.True(first.Elapsed < TimeSpan.FromSeconds(10), $"{first.Elapsed}");

        var waiting = signal.WaitAsync(TimeSpan.FromSeconds(30), token);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using (var cli = await StorageBackendOn(worker.Database))
            Assert.True(await cli.Rules.SetEnabledAsync("acme", "r1", false, null, token));
        await waiting;

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"woke after {clock.Elapsed}");
    }

    [Fact]
    public async Task Sqlite_NoChannel_WaitsForTheInterval()
    {
        await using var db = await StorageBackend.CreateAsync("sqlite");
        var clock = System.Diagnostics.Stopwatch.StartNew();

        await db.Get<IRuleChangeSignal>().WaitAsync(TimeSpan.FromMilliseconds(300), CancellationToken.None);

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(250), $"{clock.Elapsed}");
    }

    /// <summary>Another process's services on the same database (the CLI, another replica).</summary>
    private static Task<StorageBackend> StorageBackendOn(string url) => StorageBackend.OnAsync(url);
}
