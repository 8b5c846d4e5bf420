using System.Threading.Channels;
using Astra.Dispatch.Rules;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Astra.Dispatch.Storage.Postgres;

/// <summary>
/// LISTENs for <see cref="PostgresRuleStore.NotifyChannel"/> on a connection of its own (not pooled: the pool would
/// UNLISTEN it when taking it back), so a pause or a disable made by another replica or the CLI reaches this worker's
/// cache in milliseconds. A notification only says "re-read": one that arrived while the listener was disconnected is
/// lost, so every (re)LISTEN signals a re-read too. The generation poll stays as the fallback.
/// </summary>
internal sealed partial class PostgresRuleListener(PostgresDatabase database, TimeProvider time, ILogger<PostgresRuleListener> logger)
    : IRuleChangeSignal, IAsyncDisposable
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private int _disposed;

    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        _loop ??= Task.Run(ListenAsync, CancellationToken.None);
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            await _signal.Reader.ReadAsync(timeoutSource.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The poll's turn.
        }
    }

    public async ValueTask DisposeAsync()
    {
        // The container disposes this once as itself and once as the interface it was resolved as.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
            }
        }
        _stop.Dispose();
    }

    private async Task ListenAsync()
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await database.EnsureMigratedAsync(_stop.Token);
                await using var connection = new NpgsqlConnection(database.DedicatedConnectionString);
                await connection.OpenAsync(_stop.Token);
                connection.Notification += (_, _) => _signal.Writer.TryWrite(true);
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresRuleStore.NotifyChannel}", connection))
                    await listen.ExecuteNonQueryAsync(_stop.Token);
                _signal.Writer.TryWrite(true);
                backoff = TimeSpan.FromSeconds(1);
                LogListening(database.Description);
                // Notifications are raised only while the connection is read: wait on it until it breaks.
                while (true)
                    await connection.WaitAsync(_stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogListenFailed(ex.Message, backoff);
                await Task.Delay(backoff, time, _stop.Token);
                backoff = backoff * 2 < MaxBackoff ? backoff * 2 : MaxBackoff;
            }
        }
    }

    [LoggerMessage(EventId = 1211, Level = LogLevel.Debug, Message = "Listening for rule changes on {Database}")]
    private partial void LogListening(string database);

    [LoggerMessage(EventId = 1212, Level = LogLevel.Warning, Message = "Listening for rule changes failed ({Error}); the rules poll goes on, listening again in {Backoff}")]
    private partial void LogListenFailed(string error, TimeSpan backoff);
}
