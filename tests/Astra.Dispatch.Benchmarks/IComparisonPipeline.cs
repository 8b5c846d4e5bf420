namespace Astra.Dispatch.Benchmarks;

/// <summary>A pipeline the worker is compared with, run on the same broker in the same scenario.</summary>
internal interface IComparisonPipeline : IAsyncDisposable
{
    /// <summary>The topic exchange its events are published to.</summary>
    string Exchange { get; }

    /// <summary>Prepares its queues (the baseline's bound, so a backlog can queue up before <see cref="StartAsync"/>).</summary>
    Task DeclareAsync(CancellationToken cancellationToken);

    Task StartAsync(CancellationToken cancellationToken);
}
