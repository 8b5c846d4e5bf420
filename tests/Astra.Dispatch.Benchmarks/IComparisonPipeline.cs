using RabbitMQ.Client;

namespace Astra.Dispatch.Benchmarks;

/// <summary>A pipeline the worker is compared with, run on the same broker in the same scenario (in a <see cref="PipelineProcess"/>).</summary>
internal interface IComparisonPipeline : IAsyncDisposable
{
    /// <summary>Prepares its queues (the baseline's bound, so a backlog can queue up before <see cref="StartAsync"/>).</summary>
    Task DeclareAsync(CancellationToken cancellationToken);

    Task StartAsync(CancellationToken cancellationToken);
}

internal enum PipelineKind
{
    Baseline,
    BaselineWithResults,
    MassTransit,
}

internal static class ComparisonPipelines
{
    /// <summary>The topic exchange a pipeline's events are published to.</summary>
    public static string ExchangeOf(PipelineKind kind) => kind == PipelineKind.MassTransit ? MassTransitPipeline.EventsExchange : BaselinePipeline.EventsExchange;

    public static IComparisonPipeline Create(PipelineKind kind, Uri broker, IConnection connection, IReadOnlyDictionary<(string Tenant, string Type), BaselineTarget[]> routes) =>
        kind switch
        {
            PipelineKind.Baseline => new BaselinePipeline(connection, routes),
            PipelineKind.BaselineWithResults => new BaselinePipeline(connection, routes, publishResults: true),
            _ => new MassTransitPipeline(broker, connection, routes),
        };
}
