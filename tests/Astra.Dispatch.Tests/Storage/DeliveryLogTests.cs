using Astra.Dispatch.Contracts;
using Astra.Dispatch.Storage;
using Astra.Dispatch.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Tests.Storage;

/// <summary>The batched writer on a real SQLite file: what the log shows, whichever batches the entries fall into.</summary>
public sealed class DeliveryLogTests : IDisposable
{
    private static readonly DateTimeOffset Created = new(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Attempted = Created.AddMilliseconds(40);

    private readonly string _folder = Directory.CreateTempSubdirectory("journal-").FullName;
    private readonly SqliteDatabase _database;
    private readonly SqliteDeliveryLogStore _store;
    private readonly DeliveryLog _journal;
    private readonly CancellationToken _token = new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    public DeliveryLogTests()
    {
        _database = new SqliteDatabase(Options.Create(new DispatchOptions { Database = Path.Combine(_folder, "d.db") }), TimeProvider.System);
        _store = new SqliteDeliveryLogStore(_database);
        _journal = new DeliveryLog(_store, TimeProvider.System, NullLogger<DeliveryLog>.Instance);
    }

    public void Dispose()
    {
        _journal.Dispose();
        _store.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task CreatedAndAttemptInOneBatch_OneRowWithTheCreationTimeAndTheAttempt()
    {
        await Append(Creation("d1"), Attempt("d1", DeliveryStatus.Succeeded));
        await _journal.StartAsync(_token);
        await _journal.StopAsync(_token);

        var row = await Row("d1");
        Assert.Equal((DeliveryStatus.Succeeded, 1L, Created.ToString("O"), Attempted.ToString("O")), (row.Status, row.Attempts, row.CreatedAt, row.UpdatedAt));
        Assert.Equal(200, Assert.Single(await _journal.ListAttemptsAsync("d1", _token)).StatusCode);
    }

    [Fact]
    public async Task AttemptInALaterBatch_UpdatesThePendingRow()
    {
        await Append(Creation("d1"));
        await _journal.StartAsync(_token);
        while (_journal.Written < 1)
            await Task.Delay(10, _token);
        Assert.Equal(DeliveryStatus.Pending, (await Row("d1")).Status);

        await Append(Attempt("d1", DeliveryStatus.Retrying));
        await _journal.StopAsync(_token);

        var row = await Row("d1");
        Assert.Equal((DeliveryStatus.Retrying, 1L, Created.ToString("O")), (row.Status, row.Attempts, row.CreatedAt));
    }

    [Fact]
    public async Task AttemptQueuedBeforeItsCreation_StillSucceededWithTheCreationTime()
    {
        // The send consumer can finish before the event consumer has queued the creation.
        await Append(Attempt("d1", DeliveryStatus.Succeeded), Creation("d1"), Creation("d2"));
        await _journal.StartAsync(_token);
        await _journal.StopAsync(_token);

        var row = await Row("d1");
        Assert.Equal((DeliveryStatus.Succeeded, Created.ToString("O")), (row.Status, row.CreatedAt));
        Assert.Equal(DeliveryStatus.Pending, (await Row("d2")).Status);
    }

    private async Task Append(params DeliveryLogEntry[] entries)
    {
        foreach (var entry in entries)
            await _journal.AppendAsync(entry, _token);
    }

    private async Task<DeliveryRecord> Row(string id) =>
        await _journal.GetAsync(id, _token) ?? throw new InvalidOperationException($"{id} is not in the log");

    private static DeliveryCreated Creation(string id) => new(id, Created, "evt_1", "lead.captured", "r1", "acme");

    private static AttemptRecorded Attempt(string id, string status) =>
        new(id, Attempted, "evt_1", "lead.captured", "r1", "acme", 1, 12.5, 200, "succeeded", null, null, status, null);
}
