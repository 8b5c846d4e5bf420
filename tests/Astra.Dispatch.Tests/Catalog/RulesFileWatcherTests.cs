using System.Text.Json;
using Astra.Dispatch.Catalog;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Storage.Sqlite;
using Astra.Dispatch.Telemetry;
using Astra.Dispatch.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Astra.Dispatch.Tests.Catalog;

/// <summary>
/// The rules-file hot reload on a real file and a real SQLite store: the file watcher's events are real (and
/// asynchronous), the refresh ticks come from a fake clock advanced while waiting for the catalog to change.
/// </summary>
public sealed class RulesFileWatcherTests : IAsyncLifetime
{
    private const string V1 = "https://crm.example.com/v1/leads";
    private const string V2 = "https://crm.example.com/v2/leads";

    private const int ImportedEvent = 1003;
    private const int InvalidEditEvent = 1004;

    private readonly string _folder = Directory.CreateTempSubdirectory("astra-rules-").FullName;
    private readonly FakeTimeProvider _time = new(Outcomes.Now);
    private readonly CapturingLogger<RulesFileWatcher> _log = new();
    private readonly TempSecrets _secrets = new();
    private readonly TestMeterFactory _meters = new();
    private readonly DispatchTelemetry _telemetry;
    private readonly EditingRuleStore _store;
    private readonly RuleCatalog _catalog;
    private readonly RulesFileWatcher _watcher;
    private readonly CancellationToken _token = new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    public RulesFileWatcherTests()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(RulesFile)!);
        var options = Options.Create(new DispatchOptions
        {
            Database = Path.Combine(_folder, "dispatch.db"),
            RulesPath = RulesFile,
            RulesRefreshInterval = TimeSpan.FromSeconds(1),
        });
        _telemetry = new DispatchTelemetry(_meters);
        _store = new EditingRuleStore(new SqliteRuleStore(new SqliteDatabase(options, _time), _time));
        var compilers = new RuleCompilerFactory(new RuleLimits(), _secrets.Store);
        _catalog = new RuleCatalog(_store, compilers, _telemetry, NullLogger<RuleCatalog>.Instance);
        _watcher = new RulesFileWatcher(new RuleImporter(compilers, _store), _catalog, new PollingRuleChangeSignal(_time), options, _log);
    }

    private string RulesFile => Path.Combine(_folder, "rules", "rules.json");

    public Task InitializeAsync()
    {
        Write(ARule.For("r1").To(V1));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _watcher.StopAsync(CancellationToken.None);
        _watcher.Dispose();
        _catalog.Dispose();
        _telemetry.Dispose();
        _meters.Dispose();
        _secrets.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task FileEdited_TheCatalogPicksUpTheChangedAndTheAddedRule()
    {
        await _watcher.StartAsync(_token);
        Assert.Equal(V1, UrlOf("r1"));
        Assert.Null(_catalog.Current.Find("acme", "r2"));

        Write(ARule.For("r1").To(V2), ARule.For("r2"));

        await Eventually.HoldsAsync("the edited rules in the catalog", () => UrlOf("r1") == V2 && _catalog.Current.Find("acme", "r2") is not null, Tick);
        Assert.True(_log.Entries.Count(e => e.Id.Id == ImportedEvent) >= 2);
    }

    [Fact]
    public async Task InvalidEdit_ThePreviousRulesStayInForce_ALaterValidEditIsPickedUp()
    {
        await _watcher.StartAsync(_token);
        Write(ARule.For("r1").To("ftp://crm.example.com/leads"), ARule.For("r2"));

        // An editor's save may be seen half-written first: wait for the report of the finished file.
        await Eventually.HoldsAsync("the invalid edit reported",
            () => _log.Entries.Any(e => e.Id.Id == InvalidEditEvent && e.Message.Contains("r1.request.url", StringComparison.Ordinal)), Tick);
        Assert.Equal(V1, UrlOf("r1"));
        Assert.Null(_catalog.Current.Find("acme", "r2"));
        Assert.Contains(V1, (await _store.GetAsync("acme", "r1", _token))?.Definition, StringComparison.Ordinal);

        Write(ARule.For("r1").To(V2));

        await Eventually.HoldsAsync("the fixed rules in the catalog", () => UrlOf("r1") == V2, Tick);
    }

    [Fact]
    public async Task FileEditedWhileTheStartupImportRuns_PickedUpOnTheNextTick()
    {
        _store.AfterNextImport = () => Write(ARule.For("r1").To(V2));

        await _watcher.StartAsync(_token);

        Assert.Equal(V1, UrlOf("r1"));
        await Eventually.HoldsAsync("the edit saved during the startup import", () => UrlOf("r1") == V2, Tick);
    }

    private void Tick() => _time.Advance(TimeSpan.FromSeconds(1));

    private string? UrlOf(string ruleId) => _catalog.Current.Find("acme", ruleId)?.Definition.Request.Url;

    private void Write(params RuleDefinition[] rules) => File.WriteAllText(RulesFile, JsonSerializer.Serialize(rules, RuleDocumentReader.JsonOptions));

    /// <summary>The SQLite store, with a hook to edit the rules file right after an import (as an operator saving at that moment).</summary>
    private sealed class EditingRuleStore(IRuleStore store) : IRuleStore
    {
        private Action? _afterNextImport;

        public Action? AfterNextImport { set => _afterNextImport = value; }

        public async Task<ImportSummary> ImportAsync(IReadOnlyList<RuleDefinition> rules, string? source, ImportLimits limits, CancellationToken cancellationToken)
        {
            var summary = await store.ImportAsync(rules, source, limits, cancellationToken);
            Interlocked.Exchange(ref _afterNextImport, null)?.Invoke();
            return summary;
        }

        public Task<long> GetGenerationAsync(CancellationToken cancellationToken) => store.GetGenerationAsync(cancellationToken);

        public Task<(long Generation, IReadOnlyList<StoredRule> Rules)> LoadAllAsync(CancellationToken cancellationToken) => store.LoadAllAsync(cancellationToken);

        public Task<StoredRule?> GetAsync(string tenantId, string id, CancellationToken cancellationToken) => store.GetAsync(tenantId, id, cancellationToken);

        public Task<IReadOnlyList<StoredRule>> FindByIdAsync(string id, CancellationToken cancellationToken) => store.FindByIdAsync(id, cancellationToken);

        public Task<bool> SetEnabledAsync(string tenantId, string id, bool enabled, string? pausedReason, CancellationToken cancellationToken) =>
            store.SetEnabledAsync(tenantId, id, enabled, pausedReason, cancellationToken);

        public Task<bool> DeleteAsync(string tenantId, string id, CancellationToken cancellationToken) => store.DeleteAsync(tenantId, id, cancellationToken);
    }
}
