namespace Astra.Dispatch.Testing.Postgres;

internal interface IPostgresBackend : IAsyncDisposable
{
    PostgresServerKind Kind { get; }

    string Description { get; }

    /// <summary>Valid once <see cref="StartAsync"/> returned (a container's port is only known then).</summary>
    string Host { get; }

    int Port { get; }

    string Username { get; }

    string Password { get; }

    /// <summary>True when the server is known to be gone (lets startup fail fast).</summary>
    bool HasExited { get; }

    /// <summary>Starts the server; returns once it accepts connections.</summary>
    Task StartAsync(TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Log excerpts for failure messages.</summary>
    Task<string> DiagnosticsAsync();

    /// <summary>True when a failed start looks like a port clash worth retrying with a new port.</summary>
    bool FailedOnConflict();
}
