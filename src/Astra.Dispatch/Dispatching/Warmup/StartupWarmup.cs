using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Dispatching.Warmup;

/// <summary>
/// Runs every <see cref="IWarmupStep"/> once the host has started (the bus connected, the rules loaded), and holds
/// readiness until they are done: a freshly started replica (a deploy, a scale-out) then gets its first events with
/// its hot paths already compiled instead of compiling them while those events wait. A step that fails is logged and
/// skipped; readiness never depends on it, and after <see cref="WarmupOptions.Timeout"/> the worker is ready anyway.
/// </summary>
public sealed partial class StartupWarmup(
    IEnumerable<IWarmupStep> steps, IHostApplicationLifetime lifetime, IOptions<WarmupOptions> options, TimeProvider time, ILogger<StartupWarmup> logger)
    : BackgroundService
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Whether the warm-up has finished (or is switched off, or gave up).</summary>
    public bool IsComplete => _done.Task.IsCompleted;

    /// <summary>How long the warm-up took, once complete.</summary>
    public TimeSpan Duration { get; private set; }

    /// <summary>Completes when the warm-up does.</summary>
    public Task Completion => _done.Task;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            _done.TrySetResult();
            return;
        }
        try
        {
            await WhenStartedAsync(stoppingToken);
            var started = time.GetTimestamp();
            using var deadline = new CancellationTokenSource(options.Value.Timeout, time);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, deadline.Token);
            foreach (var step in steps)
                await RunAsync(step, timeout.Token, stoppingToken);
            Duration = time.GetElapsedTime(started);
            LogWarmedUp(Duration.TotalMilliseconds);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _done.TrySetResult();
        }
    }

    private async Task RunAsync(IWarmupStep step, CancellationToken timeout, CancellationToken stoppingToken)
    {
        if (timeout.IsCancellationRequested)
            return;
        var started = time.GetTimestamp();
        try
        {
            // Abandoned at the deadline even if the step does not watch its token: readiness never waits past it.
            await step.RunAsync(timeout).WaitAsync(timeout);
            var elapsed = time.GetElapsedTime(started);
            LogStep(step.Name, elapsed.TotalMilliseconds);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            LogStepTimedOut(step.Name, options.Value.Timeout);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogStepFailed(ex, step.Name);
        }
    }

    private async Task WhenStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            await started.Task.WaitAsync(stoppingToken);
    }

    [LoggerMessage(EventId = 1801, Level = LogLevel.Information, Message = "Warmed up in {Milliseconds:F0} ms")]
    private partial void LogWarmedUp(double milliseconds);

    [LoggerMessage(EventId = 1802, Level = LogLevel.Debug, Message = "Warm-up step {Step}: {Milliseconds:F0} ms")]
    private partial void LogStep(string step, double milliseconds);

    [LoggerMessage(EventId = 1803, Level = LogLevel.Warning, Message = "Warm-up step {Step} failed; the worker starts without it")]
    private partial void LogStepFailed(Exception exception, string step);

    [LoggerMessage(EventId = 1804, Level = LogLevel.Warning, Message = "Warm-up step {Step} ran past the warm-up's {Timeout}; the worker reports ready without the rest")]
    private partial void LogStepTimedOut(string step, TimeSpan timeout);
}
