using Astra.Dispatch.Rules;
using Astra.Dispatch.Storage.Sqlite;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Tests.Storage;

/// <summary>Rules are identified by (tenant, id) on a real SQLite file: no tenant can take over or reach another's rule.</summary>
public sealed class SqliteRuleStoreTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("rulestore-").FullName;
    private readonly CancellationToken _token = new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    private string DatabasePath => Path.Combine(_folder, "d.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task ImportAsync_SameIdUnderAnotherTenant_AddsASecondRuleInsteadOfReowning()
    {
        var store = Store();
        await store.ImportAsync([Rule("acme", "crm-new-lead", "https://crm.acme.example/leads")], null, 100, _token);

        var summary = await store.ImportAsync([Rule("evil", "crm-new-lead", "https://evil.example/steal")], null, 100, _token);

        Assert.Equal(1, summary.Added);
        var acme = await store.GetAsync("acme", "crm-new-lead", _token);
        Assert.Contains("crm.acme.example", acme!.Definition, StringComparison.Ordinal);
        Assert.Equal(["acme", "evil"], (await store.FindByIdAsync("crm-new-lead", _token)).Select(r => r.TenantId));
    }

    [Fact]
    public async Task SetEnabledAndDelete_OtherTenantsRuleOfTheSameId_Untouched()
    {
        var store = Store();
        await store.ImportAsync([Rule("acme", "r1"), Rule("evil", "r1")], null, 100, _token);

        Assert.True(await store.SetEnabledAsync("evil", "r1", false, null, _token));
        Assert.True(await store.DeleteAsync("evil", "r1", _token));

        var acme = await store.GetAsync("acme", "r1", _token);
        Assert.True(acme!.Enabled);
        Assert.Null(await store.GetAsync("evil", "r1", _token));
        Assert.False(await store.DeleteAsync("nobody", "r1", _token));
    }

    [Fact]
    public async Task ImportAsync_TenantOverItsLimitWithStoredRules_RefusedAndNothingWritten()
    {
        var store = Store();
        await store.ImportAsync([Rule("acme", "a"), Rule("acme", "b")], "first.yaml", 3, _token);

        var ex = await Assert.ThrowsAsync<RuleValidationException>(() =>
            store.ImportAsync([Rule("acme", "c"), Rule("acme", "d")], "second.yaml", 3, _token));

        Assert.Contains("tenant 'acme' would have 4 rules; the limit is 3", ex.Message, StringComparison.Ordinal);
        Assert.Null(await store.GetAsync("acme", "c", _token));
    }

    [Fact]
    public async Task ImportAsync_FromASource_RemovesOnlyThatSourcesMissingRules()
    {
        var store = Store();
        await store.ImportAsync([Rule("acme", "a"), Rule("evil", "a")], "rules.yaml", 100, _token);
        await store.ImportAsync([Rule("acme", "b")], "other.yaml", 100, _token);

        var summary = await store.ImportAsync([Rule("acme", "a")], "rules.yaml", 100, _token);

        Assert.Equal(1, summary.Removed);
        var (_, rules) = await store.LoadAllAsync(_token);
        Assert.Equal(["acme/a", "acme/b"], rules.Select(r => $"{r.TenantId}/{r.Id}"));
    }

    [Fact]
    public async Task Migration_DatabaseKeyedByIdOnly_KeepsEveryRuleUnderItsTenant()
    {
        // A database as the first schema left it: rules keyed by id alone.
        await using (var old = new SqliteConnection($"Data Source={DatabasePath}"))
        {
            await old.OpenAsync(_token);
            await old.ExecuteAsync(await File.ReadAllTextAsync(FirstMigration(), _token));
            await old.ExecuteAsync("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
            await old.ExecuteAsync("INSERT INTO schema_migrations VALUES (1, '0001_initial.sql', '2026-11-01T00:00:00.0000000+00:00')");
            await old.ExecuteAsync(
                """
                INSERT INTO rules (id, tenant_id, definition, version, enabled, paused_reason, source, updated_at)
                VALUES ('crm', 'acme', '{"id":"crm","tenantId":"acme"}', 3, 0, 'endpoint answered 410 Gone', 'rules.yaml', '2026-11-02T00:00:00.0000000+00:00')
                """);
        }

        var store = Store();
        var migrated = await store.GetAsync("acme", "crm", _token);

        Assert.NotNull(migrated);
        Assert.Equal((3L, false, "endpoint answered 410 Gone"), (migrated.Version, migrated.Enabled, migrated.PausedReason));
        await store.ImportAsync([Rule("evil", "crm")], null, 100, _token);
        Assert.Equal(2, (await store.FindByIdAsync("crm", _token)).Count);
    }

    private SqliteRuleStore Store() =>
        new(new SqliteDatabase(Options.Create(new DispatchOptions { Database = DatabasePath }), TimeProvider.System), TimeProvider.System);

    private static RuleDefinition Rule(string tenant, string id, string url = "https://api.example.com/hook") => new()
    {
        Id = id,
        TenantId = tenant,
        Trigger = new TriggerDefinition { Events = ["lead.captured"] },
        Request = new RequestDefinition { Url = url },
    };

    private static string FirstMigration()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Astra.Dispatch.sln")))
            folder = folder.Parent;
        return Path.Combine(folder!.FullName, "src/Astra.Dispatch/Storage/Sqlite/Migrations/0001_initial.sql");
    }
}
