namespace Astra.Dispatch.Testing.Postgres;

/// <summary>Where the test PostgreSQL server runs.</summary>
public enum PostgresServerKind
{
    /// <summary>Docker when an engine answers, else a local server. ASTRA_TEST_POSTGRES=docker|local overrides.</summary>
    Auto,

    /// <summary>A Testcontainers <c>postgres</c> container (<see cref="ContainerPostgres.Image"/>).</summary>
    Container,

    /// <summary>A private server from the local installation (initdb + pg_ctl) in a temp folder.</summary>
    Local,
}

public sealed class PostgresServerOptions
{
    public PostgresServerKind Kind { get; init; } = PostgresServerKind.Auto;

    /// <summary>How long initdb, the server start and the first connection may take together.</summary>
    /// <remarks>About 1 s on an idle 2-core machine (initdb 0.7 s, pg_ctl start 0.1 s); the rest is headroom for a loaded one.</remarks>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(90);
}
