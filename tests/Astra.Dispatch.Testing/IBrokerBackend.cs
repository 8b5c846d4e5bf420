namespace Astra.Dispatch.Testing;

internal interface IBrokerBackend : IAsyncDisposable
{
    RabbitMqBrokerKind Kind { get; }

    string Description { get; }

    string Host { get; }

    int AmqpPort { get; }

    int? ManagementPort { get; }

    /// <summary>True when the broker process is known to be gone (lets startup fail fast).</summary>
    bool HasExited { get; }

    Task StartAsync(CancellationToken cancellationToken);

    Task StopAsync(CancellationToken cancellationToken);

    Task StartAgainAsync(CancellationToken cancellationToken);

    /// <summary>Runs rabbitmqctl against the broker; returns its exit code and output.</summary>
    Task<ProcessResult> CtlAsync(IEnumerable<string> arguments, CancellationToken cancellationToken);

    /// <summary>Log excerpts for failure messages.</summary>
    Task<string> DiagnosticsAsync();

    /// <summary>True when a failed start looks like a port or node-name clash worth retrying with new ones.</summary>
    bool FailedOnConflict();
}
