using Astra.Dispatch.Rules;
using Astra.Dispatch.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Tests.Storage;

/// <summary>
/// The database (rules, the delivery log with response excerpts) is readable by its owner only. On main it was created
/// with the process umask, typically 0644: every local user could read it, and its -wal file.
/// </summary>
public sealed class SqliteFileModeTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string _folder = Directory.CreateTempSubdirectory("sqlite-mode-").FullName;

    private string DatabasePath => Path.Combine(_folder, "dispatch.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task NewDatabase_FileAndItsWalAndShm_Are0600()
    {
        if (OperatingSystem.IsWindows())
            return;

        await WriteARuleAsync();
        // Held open while the files are checked: another test clearing every pool would close the store's last
        // connection, and SQLite deletes the -wal and -shm files with it.
        await using var open = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await open.OpenAsync();
        await using (var read = open.CreateCommand())
        {
            read.CommandText = "SELECT COUNT(*) FROM rules";
            await read.ExecuteScalarAsync();
        }

        foreach (var file in new[] { DatabasePath, DatabasePath + "-wal", DatabasePath + "-shm" })
        {
            Assert.True(File.Exists(file), $"{Path.GetFileName(file)} was not created");
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public async Task ExistingDatabaseReadableByOthers_NarrowedTo0600()
    {
        if (OperatingSystem.IsWindows())
            return;
        await WriteARuleAsync();
        SqliteConnection.ClearAllPools();
        File.SetUnixFileMode(DatabasePath, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        await WriteARuleAsync();

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(DatabasePath));
    }

    private async Task WriteARuleAsync()
    {
        var store = new SqliteRuleStore(new SqliteDatabase(Options.Create(new DispatchOptions { Database = DatabasePath }), TimeProvider.System), TimeProvider.System);
        var rule = new RuleDefinition
        {
            Id = "r" + Guid.NewGuid().ToString("N")[..6],
            TenantId = "acme",
            Trigger = new TriggerDefinition { Events = ["lead.captured"] },
            Request = new RequestDefinition { Url = "https://api.example.com/hook" },
        };
        await store.ImportAsync([rule], null, new ImportLimits(), CancellationToken.None);
    }
}
