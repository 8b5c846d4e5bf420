using Astra.Dispatch.Rules;
using Astra.Dispatch.Storage;

namespace Astra.Dispatch.Tests.Storage;

/// <summary>The management stores on each database: API keys, the audit log, keyset-paged delivery search, limits on a put.</summary>
public sealed class ManagementStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);

    private readonly CancellationToken _token = new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task ApiKeys_CreateFindListRevokeTouch_EachAudited_TimesRoundTrip(string backend)
    {
        await using var db = await StorageBackend.CreateAsync(backend);
        await db.ApiKeys.CreateAsync(Key("k1", "acme", Now), Audit("key.created", "keys/k1"), _token);
        await db.ApiKeys.CreateAsync(Key("k2", null, Now.AddMinutes(1)), Audit("key.created", "keys/k2"), _token);

        Assert.True(await db.ApiKeys.RevokeAsync("k1", Now.AddMinutes(2), Audit("key.revoked", "keys/k1"), _token));
        Assert.False(await db.ApiKeys.RevokeAsync("k1", Now.AddMinutes(3), Audit("key.revoked", "keys/k1"), _token));
        await db.ApiKeys.TouchAsync("k2", Now.AddMinutes(4), _token);

        var k1 = await db.ApiKeys.FindAsync("k1", _token);
        Assert.Equal([1, 2, 3], k1!.Salt);
        Assert.Equal([9, 9], k1.Hash);
        Assert.Equal(("acme", Now.ToString("O"), Now.AddMinutes(2).ToString("O")), (k1.TenantId, k1.CreatedAt, k1.RevokedAt));
        Assert.Equal(Now.AddMinutes(4).ToString("O"), (await db.ApiKeys.FindAsync("k2", _token))!.LastUsedAt);
        Assert.Null(await db.ApiKeys.FindAsync("nope", _token));
        Assert.Equal(["k2", "k1"], (await db.ApiKeys.ListAsync(null, _token)).Select(k => k.Id));
        Assert.Equal(["k1"], (await db.ApiKeys.ListAsync("acme", _token)).Select(k => k.Id));
        // A revoke that changed nothing wrote no entry.
        Assert.Equal(["key.revoked", "key.created", "key.created"], (await db.Audit.ListAsync(new AuditQuery(), _token)).Select(a => a.Action));
    }

    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task Audit_FiltersAndPagesNewestFirst(string backend)
    {
        await using var db = await StorageBackend.CreateAsync(backend);
        for (var i = 0; i < 5; i++)
        {
            await db.Audit.AppendAsync(Audit("rule.updated", $"rules/acme/r{i}", Now.AddMinutes(i), tenant: i % 2 == 0 ? "acme" : "globex") with
            {
                RevisionBefore = i,
                RevisionAfter = i + 1,
                Detail = """{"source":"rules.yaml"}""",
            }, _token);
        }

        var acme = await db.Audit.ListAsync(new AuditQuery(TenantId: "acme"), _token);
        var page = await db.Audit.ListAsync(new AuditQuery(Limit: 2), _token);
        var next = await db.Audit.ListAsync(new AuditQuery(Before: page[^1].Id, Limit: 2), _token);
        var since = await db.Audit.ListAsync(new AuditQuery(Since: Now.AddMinutes(3)), _token);

        Assert.Equal(["rules/acme/r4", "rules/acme/r2", "rules/acme/r0"], acme.Select(a => a.Target));
        Assert.Equal(["rules/acme/r4", "rules/acme/r3", "rules/acme/r2", "rules/acme/r1"], page.Concat(next).Select(a => a.Target));
        Assert.Equal(["rules/acme/r4", "rules/acme/r3"], since.Select(a => a.Target));
        var first = acme[^1];
        Assert.Equal((Now.ToString("O"), 0L, 1L, """{"source":"rules.yaml"}""", "cli:ops"), (first.At, first.RevisionBefore, first.RevisionAfter, first.Detail, first.Actor));
        Assert.Empty(await db.Audit.ListAsync(new AuditQuery(Actor: "key:nobody"), _token));
    }

    /// <summary>Several deliveries created in the same instant: the id orders them, and the cursor neither skips nor repeats one.</summary>
    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task DeliverySearch_PagesByCreationThenId_TiesIncluded_FiltersAndCounts(string backend)
    {
        await using var db = await StorageBackend.CreateAsync(backend);
        var created = Enumerable.Range(0, 7).Select(i => new DeliveryCreated($"d{i}", Now.AddSeconds(i / 3), $"e{i}", "lead.captured", i == 6 ? "other" : "crm", "acme"));
        await db.Log.WriteBatchAsync([.. created, new DeliveryCreated("x1", Now, "e0", "lead.captured", "crm", "globex")], _token);

        var walked = new List<string>();
        DeliveryPosition? after = null;
        for (var pages = 0; pages < 10; pages++)
        {
            var page = await db.Search.ListAsync(new DeliveryPageQuery(TenantId: "acme", After: after, Limit: 2), _token);
            walked.AddRange(page.Select(d => d.Id));
            if (page.Count < 2)
                break;
            after = new DeliveryPosition(page[^1].CreatedAt, page[^1].Id);
        }

        Assert.Equal(["d6", "d5", "d4", "d3", "d2", "d1", "d0"], walked);
        Assert.Equal(["d6"], (await db.Search.ListAsync(new DeliveryPageQuery(TenantId: "acme", RuleId: "other"), _token)).Select(d => d.Id));
        Assert.Equal(["x1", "d0"], (await db.Search.ListAsync(new DeliveryPageQuery(EventId: "e0"), _token)).Select(d => d.Id).Order(StringComparer.Ordinal).Reverse());
        Assert.Equal(["d6", "d5", "d4", "d3"], (await db.Search.ListAsync(new DeliveryPageQuery(TenantId: "acme", Since: Now.AddSeconds(1)), _token)).Select(d => d.Id));
        Assert.Empty(await db.Search.ListAsync(new DeliveryPageQuery(TenantId: "acme", Status: "failed"), _token));
        Assert.Equal(7, (await db.Search.CountByStatusAsync("acme", Now, _token))["pending"]);
        Assert.Equal(8, (await db.Search.CountByStatusAsync(null, Now, _token))["pending"]);
    }

    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task PutRule_NewDelayPastTheTierLimit_RefusedWithoutRevisionOrAudit(string backend)
    {
        await using var db = await StorageBackend.CreateAsync(backend);
        var limits = new ImportLimits { MaxRulesPerTenant = 10, MaxDelayTiers = 2, FixedDelayTiers = [TimeSpan.FromSeconds(1)] };
        await db.RuleChanges.ApplyAsync(new PutRule(Rule("a", "2s"), limits, RulePrecondition.None, "key:ops", "k1"), _token);

        var ex = await Assert.ThrowsAsync<RuleValidationException>(() =>
            db.RuleChanges.ApplyAsync(new PutRule(Rule("b", "3s"), limits, RulePrecondition.None, "key:ops", "k1"), _token));

        Assert.Contains("adds the retry delay(s) 3s", Assert.Single(ex.Errors).Message, StringComparison.Ordinal);
        Assert.Null(await db.Rules.GetAsync("acme", "b", _token));
        Assert.Empty(await db.RuleChanges.ListRevisionsAsync("acme", "b", 10, _token));
        Assert.Equal(["rules/acme/a"], (await db.Audit.ListAsync(new AuditQuery(), _token)).Select(a => a.Target));
    }

    private static ApiKeyRecord Key(string id, string? tenant, DateTimeOffset at) => new()
    {
        Id = id,
        Name = "ops-" + id,
        Role = "operator",
        TenantId = tenant,
        Salt = [1, 2, 3],
        Hash = [9, 9],
        CreatedAt = at.ToString("O"),
        CreatedBy = "cli:ops",
    };

    private static AuditEntry Audit(string action, string target, DateTimeOffset? at = null, string? tenant = null) => new()
    {
        At = (at ?? Now).ToString("O"),
        Actor = "cli:ops",
        Action = action,
        TenantId = tenant,
        Target = target,
    };

    private static RuleDefinition Rule(string id, params string[] schedule) => new()
    {
        Id = id,
        TenantId = "acme",
        Trigger = new TriggerDefinition { Events = ["lead.captured"] },
        Request = new RequestDefinition { Url = "https://api.example.com/hook" },
        Retry = new RetryDefinition { Schedule = [.. schedule] },
    };
}
