using Astra.Dispatch.Contracts;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Astra.Dispatch.Tests.Storage;

/// <summary>Claim before send, on each database: one holder at a time, released by the log batch, final once succeeded.</summary>
public sealed class DeliveryClaimsTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(40);
    private readonly CancellationToken _token = new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task Claim_HeldByAnother_UntilTheLogRecordsTheAttempt(string backend)
    {
        await using var db = await WithRuleAsync(backend);

        var first = await ClaimAsync(db, "d1", "worker-a/1");
        var second = await ClaimAsync(db, "d1", "worker-b/1");
        await db.Log.WriteBatchAsync([Attempt("d1", DeliveryStatus.Retrying) with { ClaimOwner = "worker-a/1" }], _token);
        var third = await ClaimAsync(db, "d1", "worker-b/2");

        Assert.Equal(ClaimOutcome.Claimed, first.Outcome);
        Assert.Equal(ClaimOutcome.Held, second.Outcome);
        Assert.NotNull(second.LeaseUntil);
        Assert.Equal(ClaimOutcome.Claimed, third.Outcome);
    }

    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task Claim_AfterASuccessRecordedByAnotherHolder_SucceededWhateverTheLease(string backend)
    {
        await using var db = await WithRuleAsync(backend);
        await ClaimAsync(db, "d1", "worker-a/1");
        // The success of a holder whose lease another took over still makes the claim final.
        await db.Log.WriteBatchAsync([Attempt("d1", DeliveryStatus.Succeeded) with { ClaimOwner = "worker-z/9" }], _token);

        Assert.Equal(ClaimOutcome.Succeeded, (await ClaimAsync(db, "d1", "worker-b/1")).Outcome);
    }

    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task Claim_AfterASuccess_NeverAgainUntilReopened(string backend)
    {
        await using var db = await WithRuleAsync(backend);
        await ClaimAsync(db, "d1", "worker-a/1");
        await db.Log.WriteBatchAsync([Attempt("d1", DeliveryStatus.Succeeded) with { ClaimOwner = "worker-a/1" }], _token);

        var after = await ClaimAsync(db, "d1", "worker-b/1");
        Assert.True(await db.Log.ReopenAsync("d1", DateTimeOffset.UtcNow, _token));
        var reopened = await ClaimAsync(db, "d1", "worker-b/2");

        Assert.Equal(ClaimOutcome.Succeeded, after.Outcome);
        Assert.Equal(ClaimOutcome.Claimed, reopened.Outcome);
        Assert.Equal(DeliveryStatus.Pending, await db.Log.GetStatusAsync("d1", _token));
        Assert.False(await db.Log.ReopenAsync("nope", DateTimeOffset.UtcNow, _token));
    }

    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task Claim_DeliverySucceededWithoutAClaimRow_Succeeded(string backend)
    {
        await using var db = await WithRuleAsync(backend);
        // A success logged before claims existed (or whose claim was pruned).
        await db.Log.WriteBatchAsync([Attempt("d1", DeliveryStatus.Succeeded)], _token);

        Assert.Equal(ClaimOutcome.Succeeded, (await ClaimAsync(db, "d1", "worker-a/1")).Outcome);
    }

    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task Claim_LeaseRunOut_TakenOverAndTheOldOwnersReleaseLeavesItAlone(string backend)
    {
        await using var db = await WithRuleAsync(backend);
        await ClaimAsync(db, "d1", "worker-a/1", TimeSpan.FromMilliseconds(300));
        await Task.Delay(700, _token);

        var takeover = await ClaimAsync(db, "d1", "worker-b/1");
        await db.Claims.ReleaseAsync("d1", "worker-a/1", _token);
        await db.Log.WriteBatchAsync([Attempt("d1", DeliveryStatus.Retrying) with { ClaimOwner = "worker-a/1" }], _token);
        var third = await ClaimAsync(db, "d1", "worker-c/1");

        Assert.Equal(ClaimOutcome.Claimed, takeover.Outcome);
        Assert.Equal(ClaimOutcome.Held, third.Outcome);
    }

    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task Claim_RuleDisabledPausedOrGoneAsStored_RuleNotEnabled(string backend)
    {
        await using var db = await WithRuleAsync(backend);
        await db.Rules.SetEnabledAsync("acme", "r1", false, "endpoint answered 410 Gone", _token);

        var paused = await ClaimAsync(db, "d1", "worker-a/1");
        var otherTenant = await db.Claims.ClaimAsync([new ClaimRequest("d2", "worker-a/2", "globex", "r1", Lease)], _token);
        await db.Claims.ReleaseAsync("d1", "worker-a/1", _token);

        Assert.Equal(ClaimOutcome.RuleNotEnabled, paused.Outcome);
        Assert.Equal(ClaimOutcome.RuleNotEnabled, Assert.Single(otherTenant).Outcome);
    }

    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task ClaimAsync_ManyCopiesAtOnceFromTwoProcesses_EachDeliveryClaimedOnce(string backend)
    {
        await using var db = await WithRuleAsync(backend);
        // Two batchers on one database stand for two replicas; every delivery is asked for three times by each.
        await using var a = new DeliveryClaims(db.Claims, TimeProvider.System, NullLogger<DeliveryClaims>.Instance);
        await using var b = new DeliveryClaims(db.Claims, TimeProvider.System, NullLogger<DeliveryClaims>.Instance);
        var ids = Enumerable.Range(0, 200).Select(i => $"d{i}").ToList();

        var answers = await Task.WhenAll(ids.SelectMany(id => new[] { a, b, a, b, a, b }.Select(claims =>
            claims.ClaimAsync(id, claims.NewOwner(), "acme", "r1", Lease, _token).AsTask())));

        Assert.All(answers.GroupBy(x => x.DeliveryId), g => Assert.Equal(1, g.Count(x => x.Outcome == ClaimOutcome.Claimed)));
        Assert.Equal(200, a.Taken + b.Taken);
        Assert.All(answers.Where(x => x.Outcome != ClaimOutcome.Claimed), x => Assert.Equal(ClaimOutcome.Held, x.Outcome));
    }

    private async Task<StorageBackend> WithRuleAsync(string backend)
    {
        var db = await StorageBackend.CreateAsync(backend);
        await db.Rules.ImportAsync([new RuleDefinition
        {
            Id = "r1",
            TenantId = "acme",
            Trigger = new TriggerDefinition { Events = ["lead.captured"] },
            Request = new RequestDefinition { Url = "https://api.example.com/hook" },
        }], null, 100, _token);
        return db;
    }

    private async Task<ClaimAnswer> ClaimAsync(StorageBackend db, string id, string owner, TimeSpan? lease = null) =>
        Assert.Single(await db.Claims.ClaimAsync([new ClaimRequest(id, owner, "acme", "r1", lease ?? Lease)], _token));

    private static AttemptRecorded Attempt(string id, string status) =>
        new(id, DateTimeOffset.UtcNow, "evt_1", "lead.captured", "r1", "acme", 1, 10, status == DeliveryStatus.Succeeded ? 200 : 503,
            status == DeliveryStatus.Succeeded ? "succeeded" : "transient", null, null, status, null);
}
