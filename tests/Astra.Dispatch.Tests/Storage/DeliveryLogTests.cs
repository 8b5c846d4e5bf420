using Astra.Dispatch.Contracts;
using Astra.Dispatch.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Astra.Dispatch.Tests.Storage;

/// <summary>The batched writer on a real database of each kind: what the log shows, whichever batches the entries fall into.</summary>
public sealed class DeliveryLogTests
{
    private static readonly DateTimeOffset Created = new(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Attempted = Created.AddMilliseconds(40);

    private readonly CancellationToken _token = new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task CreatedAndAttemptInOneBatch_OneRowWithTheCreationTimeAndTheAttempt(string backend)
    {
        await using var db = await StorageBackend.CreateAsync(backend);
        using var journal = Journal(db);
        await Append(journal, Creation("d1"), Attempt("d1", DeliveryStatus.Succeeded));
        await journal.StartAsync(_token);
        await journal.StopAsync(_token);

        var row = await Row(journal, "d1");
        Assert.Equal((DeliveryStatus.Succeeded, 1L, Created.ToString("O"), Attempted.ToString("O")), (row.Status, row.Attempts, row.CreatedAt, row.UpdatedAt));
        Assert.Equal(200, Assert.Single(await journal.ListAttemptsAsync("d1", _token)).StatusCode);
    }

    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task AttemptInALaterBatch_UpdatesThePendingRow(string backend)
    {
        await using var db = await StorageBackend.CreateAsync(backend);
        using var journal = Journal(db);
        await Append(journal, Creation("d1"));
        await journal.StartAsync(_token);
        while (journal.Written < 1)
            await Task.Delay(10, _token);
        Assert.Equal(DeliveryStatus.Pending, (await Row(journal, "d1")).Status);

        await Append(journal, Attempt("d1", DeliveryStatus.Retrying));
        await journal.StopAsync(_token);

        var row = await Row(journal, "d1");
        Assert.Equal((DeliveryStatus.Retrying, 1L, Created.ToString("O")), (row.Status, row.Attempts, row.CreatedAt));
    }

    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task AttemptQueuedBeforeItsCreation_StillSucceededWithTheCreationTime(string backend)
    {
        await using var db = await StorageBackend.CreateAsync(backend);
        using var journal = Journal(db);
        // The send consumer can finish before the event consumer has queued the creation.
        await Append(journal, Attempt("d1", DeliveryStatus.Succeeded), Creation("d1"), Creation("d2"));
        await journal.StartAsync(_token);
        await journal.StopAsync(_token);

        var row = await Row(journal, "d1");
        Assert.Equal((DeliveryStatus.Succeeded, Created.ToString("O")), (row.Status, row.CreatedAt));
        Assert.Equal(DeliveryStatus.Pending, (await Row(journal, "d2")).Status);
    }

    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task LateAttemptsAfterASuccess_InTheSameOrALaterBatch_NeverUndoIt(string backend)
    {
        await using var db = await StorageBackend.CreateAsync(backend);
        // Attempt 1 retried, attempt 2 succeeded, then a late copy failed: in one batch, then the copy again in another.
        await db.Log.WriteBatchAsync([Creation("d1"), Attempt("d1", DeliveryStatus.Retrying, 1, 503), Attempt("d1", DeliveryStatus.Succeeded, 2, 200),
            Attempt("d1", DeliveryStatus.Failed, 1, 400)], _token);
        await db.Log.WriteBatchAsync([Attempt("d1", DeliveryStatus.Failed, 3, 500)], _token);

        var row = (await db.Log.GetAsync("d1", _token))!;
        Assert.Equal((DeliveryStatus.Succeeded, 2L, 200L, Created.ToString("O")), (row.Status, row.Attempts, row.LastStatusCode, row.CreatedAt));
        Assert.Equal([503L, 200L, 400L, 500L], (await db.Log.ListAttemptsAsync("d1", _token)).Select(a => a.StatusCode!.Value));
    }

    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task Reads_ListFilterCountAndFailingStreak_AgreeOnBothDatabases(string backend)
    {
        await using var db = await StorageBackend.CreateAsync(backend);
        var now = new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
        await db.Log.WriteBatchAsync(
        [
            Attempt("a", DeliveryStatus.Failed, 1, 500, now.AddHours(-3)),
            Attempt("b", DeliveryStatus.Succeeded, 1, 200, now.AddHours(-2)) with { RuleId = "r2" },
            Attempt("c", DeliveryStatus.Retrying, 1, 503, now.AddMinutes(-5)) with { ResponseExcerpt = "nul \0 inside" },
            new DeliveryCreated("d", now.AddMinutes(-1), "evt_2", "form.submitted", "r1", "globex"),
        ], _token);

        Assert.Equal(["d", "c", "b", "a"], (await db.Log.ListAsync(new DeliveryQuery(), _token)).Select(d => d.Id));
        Assert.Equal(["c", "a"], (await db.Log.ListAsync(new DeliveryQuery(TenantId: "acme", RuleId: "r1"), _token)).Select(d => d.Id));
        Assert.Equal(["d", "c"], (await db.Log.ListAsync(new DeliveryQuery(Since: now.AddHours(-1)), _token)).Select(d => d.Id));
        Assert.Equal(["a"], (await db.Log.ListAsync(new DeliveryQuery(Status: DeliveryStatus.Failed, Limit: 5), _token)).Select(d => d.Id));
        Assert.Equal(new Dictionary<string, long> { ["retrying"] = 1, ["pending"] = 1 }, await db.Log.CountByStatusAsync(now.AddHours(-1), _token));
        Assert.Equal(new HashSet<string> { "a", "d" }, await db.Log.FindExistingAsync(["a", "d", "zzz"], _token));
        Assert.Equal(DeliveryStatus.Succeeded, await db.Log.GetStatusAsync("b", _token));
        Assert.Null(await db.Log.GetStatusAsync("zzz", _token));
        Assert.True(await db.Log.FailingSinceAsync("acme", "r1", now.AddMinutes(-10), _token));
        Assert.False(await db.Log.FailingSinceAsync("acme", "r2", now.AddMinutes(-10), _token));
        Assert.Equal(now.AddMinutes(-5).ToString("O"), Assert.Single(await db.Log.ListAttemptsAsync("c", _token)).StartedAt);
    }

    [Theory]
    [MemberData(nameof(StorageBackend.Names), MemberType = typeof(StorageBackend))]
    public async Task Event_RecordedTwice_StoredOnceAsFirstWritten(string backend)
    {
        await using var db = await StorageBackend.CreateAsync(backend);
        await db.Log.WriteBatchAsync([new EventRecorded(Created, "acme", "evt_1", "lead.captured", """{"first":true}"""),
            new EventRecorded(Created, "acme", "evt_1", "lead.captured", """{"second":true}""")], _token);
        await db.Log.WriteBatchAsync([new EventRecorded(Created, "acme", "evt_1", "lead.captured", """{"third":true}""")], _token);

        Assert.Equal("""{"first":true}""", await db.Log.GetEventAsync("acme", "evt_1", _token));
        Assert.Null(await db.Log.GetEventAsync("globex", "evt_1", _token));
    }

    private static DeliveryLog Journal(StorageBackend db) => new(db.Log, TimeProvider.System, NullLogger<DeliveryLog>.Instance);

    private async Task Append(DeliveryLog journal, params DeliveryLogEntry[] entries)
    {
        foreach (var entry in entries)
            await journal.AppendAsync(entry, _token);
    }

    private async Task<DeliveryRecord> Row(DeliveryLog journal, string id) =>
        await journal.GetAsync(id, _token) ?? throw new InvalidOperationException($"{id} is not in the log");

    private static DeliveryCreated Creation(string id) => new(id, Created, "evt_1", "lead.captured", "r1", "acme");

    private static AttemptRecorded Attempt(string id, string status, int attempt = 1, int statusCode = 200, DateTimeOffset? at = null) =>
        new(id, at ?? Attempted, "evt_1", "lead.captured", "r1", "acme", attempt, 12.5, statusCode, status == DeliveryStatus.Succeeded ? "succeeded" : "transient",
            status == DeliveryStatus.Succeeded ? null : $"HTTP {statusCode}", null, status, null);
}
