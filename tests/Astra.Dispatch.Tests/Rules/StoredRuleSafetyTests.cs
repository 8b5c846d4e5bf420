using Astra.Dispatch.Catalog;
using Astra.Dispatch.Storage.Sqlite;
using Astra.Dispatch.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Tests.Rules;

/// <summary>Rules already in the database are compiled again by every worker when it loads them: the same limits hold there.</summary>
public sealed class StoredRuleSafetyTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("astra-stored-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>On main a stored rule with 3,000 nested ifs (imported before any limit, or written by another tool)
    /// overflowed the stack while the worker loaded the rules: the process aborted (exit 134) on every restart.</summary>
    [Fact]
    public async Task RefreshAsync_StoredRuleWithThreeThousandNestedIfs_SkippedAndTheOthersLoaded()
    {
        using var secrets = new TempSecrets();
        var dispatch = Options.Create(new DispatchOptions { SecretsPath = secrets.Folder, Database = Path.Combine(_folder, "d.db") });
        var store = new SqliteRuleStore(new SqliteDatabase(dispatch, TimeProvider.System), TimeProvider.System);
        var bomb = Some.Definition(body: Some.Nested(3000, "{%if x%}", "{%endif%}")) with { Id = "bomb" };
        var fine = Some.Definition(body: "{ \"ok\": true }") with { Id = "fine" };
        await store.ImportAsync([bomb, fine], source: null, new Astra.Dispatch.Rules.ImportLimits { MaxRulesPerTenant = 100 }, CancellationToken.None);
        using var catalog = new RuleCatalog(store, new RuleCompilerFactory(new RuleLimits(), secrets.Store), Some.Telemetry(), NullLogger<RuleCatalog>.Instance);

        await catalog.RefreshAsync(CancellationToken.None);

        Assert.Equal(["fine"], catalog.Current.All.Select(r => r.Id));
    }
}
