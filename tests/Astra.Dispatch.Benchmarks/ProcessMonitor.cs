using System.Diagnostics;

namespace Astra.Dispatch.Benchmarks;

/// <summary>
/// A child process of the benchmark (the worker, or a comparison pipeline): its CPU time, its RSS sampled every
/// 100 ms while it runs, and its stop. Each side runs in a process of its own, so each side's figures are its own.
/// </summary>
internal sealed class ProcessMonitor
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;
    private long _maxRss;

    public ProcessMonitor(Process process)
    {
        _process = process;
        _sampler = SampleAsync(_stop.Token);
    }

    public double MaxRssMb => Interlocked.Read(ref _maxRss) / 1024d / 1024d;

    /// <summary>CPU time the process has used so far (all threads).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public double CurrentRssMb
    {
        get
        {
            _process.Refresh();
            return _process.WorkingSet64 / 1024d / 1024d;
        }
    }

    private async Task SampleAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken) && !_process.HasExited)
            {
                var rss = (long)(CurrentRssMb * 1024 * 1024);
                long seen;
                while ((seen = Interlocked.Read(ref _maxRss)) < rss && Interlocked.CompareExchange(ref _maxRss, rss, seen) != seen)
                {
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (InvalidOperationException)
        {
            // The process went away between the check and the sample.
        }
    }

    /// <summary>
    /// Stops sampling, asks the process to stop the way its owner knows (<paramref name="askToStop"/>), and kills it
    /// with its children if it has not exited within 30s.
    /// </summary>
    public async Task StopAsync(Func<Task> askToStop)
    {
        await _stop.CancelAsync();
        await _sampler;
        _stop.Dispose();
        if (_process.HasExited)
            return;
        await askToStop();
        using var grace = new CancellationTokenSource(StopGrace);
        try
        {
            await _process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }
}
