namespace Astra.Dispatch.Dispatching.Warmup;

/// <summary>
/// One path of the worker run once before it reports ready, without any effect outside the process: what the first
/// events would otherwise pay for (the JIT compiling it, pools and caches filling up).
/// </summary>
public interface IWarmupStep
{
    /// <summary>What the step runs, for the log.</summary>
    string Name { get; }

    /// <summary>Runs the path once.</summary>
    Task RunAsync(CancellationToken cancellationToken);
}
