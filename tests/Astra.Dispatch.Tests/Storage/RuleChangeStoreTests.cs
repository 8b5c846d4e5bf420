using Astra.Dispatch.Rules;
using Astra.Dispatch.Storage;

namespace Astra.Dispatch.Tests.Storage;

/// <summary>People's rule changes on each database: conditional on the stamp, each with a revision and an audit entry.</summary>
public sealed class RuleChangeStoreTests
{
    private readonly CancellationToken _token = new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task ApplyAsync_TwoEditorsFromTheSameStamp_SecondIsRefusedAndNothingIsLost(string backend)
    {
        await using var db = await StorageBackend.CreateAsync(backend);
        var store = db.RuleChanges;
        var created = await store.ApplyAsync(Put(Rule("https://a.example/1"), RulePrecondition.None), _token);
        var seen = new RulePrecondition { Match = [RuleStamp.Of(created.After!)] };

        var first = await store.ApplyAsync(Put(Rule("https://a.example/2"), seen), _token);
        var second = await store.ApplyAsync(Put(Rule("https://a.example/3"), seen), _token);

        Assert.Equal(RuleChangeOutcome.Applied, first.Outcome);
        Assert.Equal(RuleChangeOutcome.PreconditionFailed, second.Outcome);
        Assert.Contains("a.example/2", second.Before!.Definition, StringComparison.Ordinal);
        Assert.Equal([2L, 1L], (await store.ListRevisionsAsync("acme", "crm", 10, _token)).Select(r => r.Revision));
    }

    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task WorkerPause_ChangesTheStamp_SoAnOlderIfMatchFails(string backend)
    {
        await using var db = await StorageBackend.CreateAsync(backend);
        var store = db.RuleChanges;
        var created = await store.ApplyAsync(Put(Rule("https://a.example/1"), RulePrecondition.None), _token);
        await db.Rules.SetEnabledAsync("acme", "crm", false, "endpoint answered 410 Gone", _token);

        var result = await store.ApplyAsync(new SetRuleEnabled("acme", "crm", false, new RulePrecondition { Match = [RuleStamp.Of(created.After!)] }, "cli:test", null), _token);

        Assert.Equal(RuleChangeOutcome.PreconditionFailed, result.Outcome);
    }

    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task ImportAsync_ChangedAddedRemoved_RevisionAndAuditEach_UnchangedNone(string backend)
    {
        await using var db = await StorageBackend.CreateAsync(backend);
        var store = db.RuleChanges;
        await store.ImportAsync([Rule("https://a.example/1"), Rule("https://a.example/1", "chat")], "/rules.yaml", new ImportLimits { MaxRulesPerTenant = 100 }, "cli:ops", null, _token);

        var summary = await store.ImportAsync([Rule("https://a.example/2"), Rule("https://a.example/1", "other")], "/rules.yaml", new ImportLimits { MaxRulesPerTenant = 100 }, "cli:ops", null, _token);
        var audit = await db.Audit.ListAsync(new AuditQuery(TenantId: "acme"), _token);

        Assert.Equal(new ImportSummary(1, 1, 0, 1), summary);
        Assert.Equal(["rule.deleted", "rule.created", "rule.updated", "rule.created", "rule.created"], audit.Select(a => a.Action));
        Assert.All(audit, a => Assert.Equal("cli:ops", a.Actor));
        var chat = await store.ListRevisionsAsync("acme", "chat", 10, _token);
        Assert.Equal(["deleted", "created"], chat.Select(r => r.Action));
        Assert.Null(chat[0].Definition);
    }

    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task ApplyAsync_MustNotExist_RefusedWhenItDoes_NotFoundForStateChangesOfNothing(string backend)
    {
        await using var db = await StorageBackend.CreateAsync(backend);
        var store = db.RuleChanges;
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
