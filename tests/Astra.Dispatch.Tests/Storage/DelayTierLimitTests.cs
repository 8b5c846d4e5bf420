using Astra.Dispatch.Catalog;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Storage.Sqlite;
using Astra.Dispatch.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Tests.Storage;

/// <summary>
/// Every distinct retry delay is a broker queue: the delays of all stored rules, the default schedule and the deferral
/// tiers together are bounded (<c>Dispatch:Delivery:MaxDelayTiers</c>). On main any number of whole-second delays was
/// accepted, one new queue per delay, across every tenant's rules.
/// </summary>
public sealed class DelayTierLimitTests : IDisposable
{
    private static readonly ImportLimits Limits = new() { MaxDelayTiers = 4, FixedDelayTiers = [TimeSpan.FromSeconds(1)] };

    private readonly string _folder = Directory.CreateTempSubdirectory("tiers-").FullName;
    private readonly CancellationToken _token = new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>The file alone has one new delay; with the rules already stored (another tenant's too) it makes five tiers.</summary>
    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task ImportAsync_NewDelayPastTheLimitCountingStoredRules_RefusedNamingTheLimit_NothingWritten(string backend)
    {
        await using var db = await StorageBackend.CreateAsync(backend);
        var store = db.Rules;
        await store.ImportAsync([Rule("acme", "a", "2s", "3s"), Rule("globex", "b", "4s")], "first.yaml", Limits, _token);

        var ex = await Assert.ThrowsAsync<RuleValidationException>(() => store.ImportAsync([Rule("acme", "c", "7s")], "second.yaml", Limits, _token));

        var error = Assert.Single(ex.Errors);
        Assert.Equal(("c", "retry.schedule"), (error.RuleId, error.Path));
        Assert.Contains("adds the retry delay(s) 7s, which would make 5 distinct delay tiers", error.Message, StringComparison.Ordinal);
        Assert.Contains("the limit is 4 (Dispatch:Delivery:MaxDelayTiers)", error.Message, StringComparison.Ordinal);
        Assert.Null(await store.GetAsync("acme", "c", _token));
    }

    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task ImportAsync_DelaysOtherRulesAlreadyUse_AcceptedAtTheLimit(string backend)
    {
        await using var db = await StorageBackend.CreateAsync(backend);
        var store = db.Rules;
        await store.ImportAsync([Rule("acme", "a", "2s", "3s"), Rule("globex", "b", "4s")], "first.yaml", Limits, _token);

        await store.ImportAsync([Rule("acme", "c", "4s", "1s", "2s")], "second.yaml", Limits, _token);

        Assert.NotNull(await store.GetAsync("acme", "c", _token));
    }

    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task ImportAsync_ReplacingARulesDelays_CountsWhatIsStoredAfterwards(string backend)
    {
        await using var db = await StorageBackend.CreateAsync(backend);
        var store = db.Rules;
        await store.ImportAsync([Rule("acme", "a", "2s", "3s", "4s")], "rules.yaml", Limits, _token);

        // 2s, 3s, 4s are gone with the edit: 1s (fixed), 5s, 6s, 7s make four.
        await store.ImportAsync([Rule("acme", "a", "5s", "6s", "7s")], "rules.yaml", Limits, _token);

        Assert.Contains("7s", (await store.GetAsync("acme", "a", _token))!.Definition, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task ImportAsync_OverTheLimitAlreadyButAddingNothingNew_Accepted(string backend)
    {
        await using var db = await StorageBackend.CreateAsync(backend);
        var store = db.Rules;
        await store.ImportAsync([Rule("acme", "a", "2s", "3s", "4s", "5s", "6s")], "rules.yaml", Limits with { MaxDelayTiers = 10 }, _token);

        // The operator lowered the limit: edits that keep to the delays in use still go through.
        await store.ImportAsync([Rule("acme", "b", "2s")], "other.yaml", Limits, _token);

        Assert.NotNull(await store.GetAsync("acme", "b", _token));
    }

    [Fact]
    public void Validate_FileAloneOverTheLimit_ErrorNamingTheLimit()
    {
        using var secrets = new TempSecrets();
        var importer = new RuleImporter(new RuleCompilerFactory(new RuleLimits { MaxDelayTiers = 3, FixedDelayTiers = [TimeSpan.FromSeconds(1)] }, secrets.Store), Store());
        var yaml = string.Join('\n', Enumerable.Range(2, 3).Select(i => $$"""
            - id: r{{i}}
              tenantId: acme
              trigger: { events: [lead.captured] }
              request: { url: "https://api.example.com/hook" }
              retry: { schedule: [{{i}}s] }
            """));

        var ex = Assert.Throws<RuleValidationException>(() => importer.ValidateText(yaml, "rules.yaml"));

        Assert.Contains(ex.Errors, e => e.Path == "retry.schedule" && e.Message.Contains("4 distinct retry delays", StringComparison.Ordinal)
            && e.Message.Contains("the limit is 3 (Dispatch:Delivery:MaxDelayTiers)", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("32", null)]
    [InlineData("5", "Dispatch:Delivery:MaxDelayTiers must leave room for the default schedule and the deferral tiers")]
    public void Options_MaxDelayTiersBelowTheFixedTiers_FailsAtStart(string max, string? error)
    {
        using var provider = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Dispatch:Delivery:MaxDelayTiers"] = max }).Build())
            .AddLogging().AddAstraDispatch().Services.BuildServiceProvider();

        var read = () => provider.GetRequiredService<IOptions<Astra.Dispatch.Delivery.RetryOptions>>().Value;

        if (error is null)
            Assert.Equal(int.Parse(max, System.Globalization.CultureInfo.InvariantCulture), read().MaxDelayTiers);
        else
            Assert.Contains(error, Assert.Throws<OptionsValidationException>(read).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RuleLimits_FromConfiguration_DefaultScheduleAndDeferralTiersAreFixed()
    {
        using var provider = new ServiceCollection().AddSingleton<IConfiguration>(new ConfigurationBuilder().Build()).AddLogging().AddAstraDispatch()
            .Services.BuildServiceProvider();

        var limits = provider.GetRequiredService<RuleLimits>();

        Assert.Equal(32, limits.MaxDelayTiers);
        // 5s, 5m, 30m, 2h, 5h, 10h and 1s, 2s, 10s, 30s (5s is both).
        Assert.Equal(10, limits.FixedDelayTiers.Count);
    }

    private SqliteRuleStore Store() =>
        new(new SqliteDatabase(Options.Create(new DispatchOptions { Database = Path.Combine(_folder, "d.db") }), TimeProvider.System), TimeProvider.System);

    private static RuleDefinition Rule(string tenant, string id, params string[] schedule) => new()
    {
        Id = id,
        TenantId = tenant,
        Trigger = new TriggerDefinition { Events = ["lead.captured"] },
        Request = new RequestDefinition { Url = "https://api.example.com/hook" },
        Retry = new RetryDefinition { Schedule = [.. schedule] },
    };
}
