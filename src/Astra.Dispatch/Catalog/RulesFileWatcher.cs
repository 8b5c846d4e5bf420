using Astra.Dispatch.Rules;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Catalog;

/// <summary>
/// Imports <c>Dispatch:RulesPath</c> on start (an invalid file stops the start, with every error) and again
/// whenever it changes (an invalid edit is logged and the previous rules stay in force); refreshes the rule cache
/// every <c>Dispatch:RulesRefreshInterval</c>, and at once when another process signals a change.
/// </summary>
internal sealed partial class RulesFileWatcher(
    RuleImporter importer, RuleCatalog catalog, IRuleChangeSignal changes, IOptions<DispatchOptions> options, ILogger<RulesFileWatcher> logger)
    : BackgroundService
{
    private readonly StrongBox _changed = new();
    private FileSystemWatcher? _changes;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Watching before the first import: a file saved while it runs is imported on the first tick, not missed.
        _changes = Watch(options.Value.RulesPath, _changed);
        if (options.Value.RulesPath is { Length: > 0 } path)
        {
            var summary = await importer.ImportAsync(path, cancellationToken);
            LogImported(path, summary.Added, summary.Updated, summary.Unchanged, summary.Removed);
        }
        await catalog.RefreshAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Every interval, or at once when another process signals a rule change (PostgreSQL's NOTIFY).
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await changes.WaitAsync(options.Value.RulesRefreshInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                if (Interlocked.Exchange(ref _changed.Value, 0) == 1 && options.Value.RulesPath is { } path)
                {
                    var summary = await importer.ImportAsync(path, stoppingToken);
                    LogImported(path, summary.Added, summary.Updated, summary.Unchanged, summary.Removed);
                }
                await catalog.RefreshAsync(stoppingToken);
            }
            catch (RuleValidationException ex)
            {
                LogInvalidEdit(ex.Message);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRefreshFailed(ex);
            }
        }
    }

    public override void Dispose()
    {
        _changes?.Dispose();
        base.Dispose();
    }

    private static FileSystemWatcher? Watch(string? path, StrongBox box)
    {
        if (string.IsNullOrEmpty(path))
            return null;
        var full = Path.GetFullPath(path);
        var isFolder = Directory.Exists(full);
        var watcher = new FileSystemWatcher(isFolder ? full : Path.GetDirectoryName(full)!)
        {
            Filter = isFolder ? "*" : Path.GetFileName(full),
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        // Editors save by rename or several writes: just flag it and let the next tick import once.
        FileSystemEventHandler flag = (_, _) => Interlocked.Exchange(ref box.Value, 1);
        watcher.Changed += flag;
        watcher.Created += flag;
        watcher.Deleted += flag;
        watcher.Renamed += (_, _) => Interlocked.Exchange(ref box.Value, 1);
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    private sealed class StrongBox
    {
        public int Value;
    }

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Imported rules from {Path}: {Added} added, {Updated} updated, {Unchanged} unchanged, {Removed} removed")]
    private partial void LogImported(string path, int added, int updated, int unchanged, int removed);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Error, Message = "The rules file changed but is invalid; the previous rules stay in force. {Errors}")]
    private partial void LogInvalidEdit(string errors);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Error, Message = "Refreshing rules failed; retrying on the next tick")]
    private partial void LogRefreshFailed(Exception exception);
}
