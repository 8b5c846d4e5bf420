using Astra.Dispatch.Contracts;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Tests.Storage;

/// <summary>Dispatch:Delivery:Retention on each database: old deliveries go with their attempts, claims and events, in batches.</summary>
public sealed class RetentionTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private readonly CancellationToken _token = new CancellationTokenSource(TimeSpan.FromSeconds(120)).Token;

    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task PruneAsync_OlderThanRetention_DeletedInBatchesWithAttemptsClaimsAndEvents(string backend)
    {
        var time = TimeProvider.System;
        await using var db = await StorageBackend.CreateAsync(backend);
        await db.Rules.ImportAsync([new RuleDefinition
        {
            Id = "r1",
            TenantId = "acme",
            Trigger = new TriggerDefinition { Events = ["lead.captured"] },
            Request = new RequestDefinition { Url = "https://api.example.com/hook" },
        }], null, 100, _token);
        // 2,500 old deliveries (more than a batch) of 1,250 old events, each claimed and attempted twice; 3 recent ones.
        var old = Now.AddDays(-31);
        var entries = new List<DeliveryLogEntry>();
        for (var i = 0; i < 2500; i++)
        {
            if (i % 2 == 0)
                entries.Add(new EventRecorded(old, "acme", $"evt_{i / 2}", "lead.captured", "{}"));
            entries.Add(Attempt($"old{i}", $"evt_{i / 2}", 1, DeliveryStatus.Retrying, old));
            entries.Add(Attempt($"old{i}", $"evt_{i / 2}", 2, DeliveryStatus.Succeeded, old.AddSeconds(5)) with { ClaimOwner = $"w/{i}" });
        }
        await db.Claims.ClaimAsync([.. Enumerable.Range(0, 2500).Select(i => new ClaimRequest($"old{i}", $"w/{i}", "acme", "r1", TimeSpan.FromSeconds(40)))], _token);
        entries.Add(new EventRecorded(old, "acme", "evt_kept", "lead.captured", "{}"));
        for (var i = 0; i < 3; i++)
            entries.Add(Attempt($"new{i}", "evt_kept", 1, DeliveryStatus.Succeeded, Now.AddDays(-1)));
        await db.Log.WriteBatchAsync(entries, _token);
        var retention = new DeliveryLogRetention(db.Log, Options.Create(new RetentionOptions()), time, NullLogger<DeliveryLogRetention>.Instance);

        var pruned = await retention.PruneAsync(_token);

        Assert.Equal(new PruneResult(2500, 5000, 2500, 1250), pruned);
        Assert.Equal(3, await db.ScalarAsync("SELECT COUNT(*) FROM deliveries"));
        Assert.Equal(3, await db.ScalarAsync("SELECT COUNT(*) FROM attempts"));
        Assert.Equal(0, await db.ScalarAsync("SELECT COUNT(*) FROM delivery_claims"));
        // Its event is older than the retention, but a delivery of it is not: it stays, so that delivery can be resent.
        Assert.Equal(1, await db.ScalarAsync("SELECT COUNT(*) FROM events"));
        Assert.Equal(new PruneResult(0, 0, 0, 0), await retention.PruneAsync(_token));
    }

    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task PruneAsync_RetentionZero_KeepsEverything(string backend)
    {
        await using var db = await StorageBackend.CreateAsync(backend);
        await db.Log.WriteBatchAsync([Attempt("d1", "evt_1", 1, DeliveryStatus.Succeeded, Now.AddYears(-2))], _token);
        var retention = new DeliveryLogRetention(db.Log, Options.Create(new RetentionOptions { Retention = TimeSpan.Zero }), TimeProvider.System,
            NullLogger<DeliveryLogRetention>.Instance);

        Assert.Equal(0, (await retention.PruneAsync(_token)).Total);
        Assert.Equal(1, await db.ScalarAsync("SELECT COUNT(*) FROM deliveries"));
    }

    private static AttemptRecorded Attempt(string id, string eventId, int attempt, string status, DateTimeOffset at) =>
        new(id, at, eventId, "lead.captured", "r1", "acme", attempt, 10, 200, "succeeded", null, null, status, null);
}
