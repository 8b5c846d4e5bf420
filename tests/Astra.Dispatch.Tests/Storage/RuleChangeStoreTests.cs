using Astra.Dispatch.Rules;
using Astra.Dispatch.Storage;
using Astra.Dispatch.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Tests.Storage;

/// <summary>People's rule changes on a real SQLite file: conditional on the stamp, each with a revision and an audit entry.</summary>
public sealed class SqliteRuleChangeStoreTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("rulechanges-").FullName;
    private readonly CancellationToken _token = new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;
    private readonly SqliteDatabase _database;

    public SqliteRuleChangeStoreTests() =>
        _database = new SqliteDatabase(Options.Create(new DispatchOptions { Database = Path.Combine(_folder, "d.db") }), TimeProvider.System);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task ApplyAsync_TwoEditorsFromTheSameStamp_SecondIsRefusedAndNothingIsLost()
    {
        var store = new SqliteRuleChangeStore(_database, TimeProvider.System);
        var created = await store.ApplyAsync(Put(Rule("https://a.example/1"), RulePrecondition.None), _token);
        var seen = new RulePrecondition { Match = [RuleStamp.Of(created.After!)] };

        var first = await store.ApplyAsync(Put(Rule("https://a.example/2"), seen), _token);
        var second = await store.ApplyAsync(Put(Rule("https://a.example/3"), seen), _token);

        Assert.Equal(RuleChangeOutcome.Applied, first.Outcome);
        Assert.Equal(RuleChangeOutcome.PreconditionFailed, second.Outcome);
        Assert.Contains("a.example/2", second.Before!.Definition, StringComparison.Ordinal);
        Assert.Equal([2L, 1L], (await store.ListRevisionsAsync("acme", "crm", 10, _token)).Select(r => r.Revision));
    }

    [Fact]
    public async Task WorkerPause_ChangesTheStamp_SoAnOlderIfMatchFails()
    {
        var store = new SqliteRuleChangeStore(_database, TimeProvider.System);
        var created = await store.ApplyAsync(Put(Rule("https://a.example/1"), RulePrecondition.None), _token);
        await new SqliteRuleStore(_database, TimeProvider.System).SetEnabledAsync("acme", "crm", false, "endpoint answered 410 Gone", _token);

        var result = await store.ApplyAsync(new SetRuleEnabled("acme", "crm", false, new RulePrecondition { Match = [RuleStamp.Of(created.After!)] }, "cli:test", null), _token);

        Assert.Equal(RuleChangeOutcome.PreconditionFailed, result.Outcome);
    }

    [Fact]
    public async Task ImportAsync_ChangedAddedRemoved_RevisionAndAuditEach_UnchangedNone()
    {
        var store = new SqliteRuleChangeStore(_database, TimeProvider.System);
        await store.ImportAsync([Rule("https://a.example/1"), Rule("https://a.example/1", "chat")], "/rules.yaml", new ImportLimits { MaxRulesPerTenant = 100 }, "cli:ops", null, _token);

        var summary = await store.ImportAsync([Rule("https://a.example/2"), Rule("https://a.example/1", "other")], "/rules.yaml", new ImportLimits { MaxRulesPerTenant = 100 }, "cli:ops", null, _token);
        var audit = await new SqliteAuditLog(_database).ListAsync(new AuditQuery(TenantId: "acme"), _token);

        Assert.Equal(new ImportSummary(1, 1, 0, 1), summary);
        Assert.Equal(["rule.deleted", "rule.created", "rule.updated", "rule.created", "rule.created"], audit.Select(a => a.Action));
        Assert.All(audit, a => Assert.Equal("cli:ops", a.Actor));
        var chat = await store.ListRevisionsAsync("acme", "chat", 10, _token);
        Assert.Equal(["deleted", "created"], chat.Select(r => r.Action));
        Assert.Null(chat[0].Definition);
    }

    [Fact]
    public async Task ApplyAsync_MustNotExist_RefusedWhenItDoes_NotFoundForStateChangesOfNothing()
    {
        var store = new SqliteRuleChangeStore(_database, TimeProvider.System);
        var createOnly = new RulePrecondition { MustNotExist = true };

        var first = await store.ApplyAsync(Put(Rule("https://a.example/1"), createOnly), _token);
        var again = await store.ApplyAsync(Put(Rule("https://a.example/1"), createOnly), _token);
        var missing = await store.ApplyAsync(new DeleteRule("acme", "nope", RulePrecondition.None, "cli:test", null), _token);

        Assert.Equal(RuleChangeOutcome.Applied, first.Outcome);
        Assert.Equal(RuleChangeOutcome.PreconditionFailed, again.Outcome);
        Assert.Equal(RuleChangeOutcome.NotFound, missing.Outcome);
    }

    private static PutRule Put(RuleDefinition rule, RulePrecondition expected) => new(rule, new ImportLimits { MaxRulesPerTenant = 100 }, expected, "key:test", "k1");

    private static RuleDefinition Rule(string url, string id = "crm") => new()
    {
        Id = id,
        TenantId = "acme",
        Trigger = new TriggerDefinition { Events = ["lead.captured"] },
        Request = new RequestDefinition { Url = url },
    };
}
