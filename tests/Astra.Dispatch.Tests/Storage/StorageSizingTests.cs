using System.Text.Json;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Storage;
using Xunit.Abstractions;

namespace Astra.Dispatch.Tests.Storage;

/// <summary>
/// What a delivery costs on disk on each database (docs/operations.md, Retention, quotes these figures): a succeeded
/// delivery of one attempt is a delivery row, an attempt row, a claim row and its event (shared by the event's
/// deliveries), indexes included.
/// </summary>
public sealed class StorageSizingTests(ITestOutputHelper output)
{
    private const int Deliveries = 5000;

    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task OneSucceededAttemptPerDelivery_BytesPerDeliveryWithinTheDocumentedSizing(string backend)
    {
        await using var db = await StorageBackend.CreateAsync(backend);
        await db.Db.CheckWritableAsync(CancellationToken.None);
        await db.Rules.ImportAsync([new Astra.Dispatch.Rules.RuleDefinition
        {
            Id = "crm-new-lead",
            TenantId = "acme-corp",
            Trigger = new Astra.Dispatch.Rules.TriggerDefinition { Events = ["lead.captured"] },
            Request = new Astra.Dispatch.Rules.RequestDefinition { Url = "https://crm.example.com/api/v2/leads" },
        }], null, 100, CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        var ids = Enumerable.Range(0, Deliveries).Select(i => (Event: $"evt_01JD{i:D22}", Owner: $"worker-7f9c/1/a1b2c3d4/{i}"))
            .Select(x => (x.Event, x.Owner, Id: DeliveryId.For("acme-corp", x.Event, "crm-new-lead"))).ToList();
        var sizes = new List<(string Phase, long Bytes)> { ("empty", await SizeAsync(db)) };

        // As the worker writes them: claims when sent, then the log batch (delivery, attempt, claim released), then events.
        foreach (var chunk in ids.Chunk(1000))
            await db.Claims.ClaimAsync([.. chunk.Select(x => new ClaimRequest(x.Id, x.Owner, "acme-corp", "crm-new-lead", TimeSpan.FromSeconds(40)))], CancellationToken.None);
        sizes.Add(("claims", await SizeAsync(db)));
        foreach (var chunk in ids.Chunk(1000))
        {
            await db.Log.WriteBatchAsync([.. chunk.SelectMany(x => new DeliveryLogEntry[]
            {
                new DeliveryCreated(x.Id, now, x.Event, "lead.captured", "crm-new-lead", "acme-corp"),
                new AttemptRecorded(x.Id, now, x.Event, "lead.captured", "crm-new-lead", "acme-corp", 1, 42.5, 200, "succeeded", null, null,
                    DeliveryStatus.Succeeded, null) { ClaimOwner = x.Owner },
            })], CancellationToken.None);
        }
        sizes.Add(("deliveries+attempts", await SizeAsync(db)));
        foreach (var chunk in ids.Chunk(1000))
            await db.Log.WriteBatchAsync([.. chunk.Select(x => new EventRecorded(now, "acme-corp", x.Event, "lead.captured", Event(x.Event, now)))], CancellationToken.None);
        sizes.Add(("events", await SizeAsync(db)));

        var phases = sizes.Skip(1).Select((s, i) => (s.Phase, PerDelivery: (s.Bytes - sizes[i].Bytes) / (double)Deliveries)).ToList();
        var total = (sizes[^1].Bytes - sizes[0].Bytes) / (double)Deliveries;
        output.WriteLine($"{backend}: {total:F0} bytes per delivery: " + string.Join(", ", phases.Select(p => $"{p.Phase} {p.PerDelivery:F0}")));
        Assert.InRange(total, 300, 2500);
    }

    /// <summary>Bytes in use: PostgreSQL's four tables with indexes and TOAST; SQLite's used pages after a checkpoint.</summary>
    private static async Task<long> SizeAsync(StorageBackend db)
    {
        if (db.IsPostgres)
        {
            await db.ExecuteAsync("VACUUM ANALYZE");
            return await db.ScalarAsync(
                "SELECT pg_total_relation_size('deliveries') + pg_total_relation_size('attempts') + pg_total_relation_size('delivery_claims') + pg_total_relation_size('events')");
        }
        await db.ExecuteAsync("PRAGMA wal_checkpoint(TRUNCATE)");
        return await db.ScalarAsync("SELECT (page_count - freelist_count) * page_size FROM pragma_page_count, pragma_freelist_count, pragma_page_size");
    }

    private static string Event(string eventId, DateTimeOffset at) => JsonSerializer.Serialize(new
    {
        eventId,
        type = "lead.captured",
        occurredAt = at,
        tenantId = "acme-corp",
        agentId = "sales-assistant",
        conversationId = "conv_01JD8Z5K2M3N4P5Q6R7S8T9V0W",
        data = new { name = "Ada Lovelace", email = "ada@example.com", score = 87, company = "Analytical Engines Ltd", phone = "+44 20 7946 0958",
            message = "Interested in the enterprise plan for our team of forty; please call back this week." },
    }, JsonSerializerOptions.Web);
}
