namespace Astra.Dispatch.Testing;

/// <summary>Where the test broker runs.</summary>
public enum RabbitMqBrokerKind
{
    /// <summary>Docker when an engine answers, else a local node. ASTRA_TEST_BROKER=docker|local overrides.</summary>
    Auto,

    /// <summary>A Testcontainers <c>rabbitmq:3.13-management</c> container.</summary>
    Container,

    /// <summary>A private <c>rabbitmq-server</c> node in a temp folder.</summary>
    LocalNode,
}

public sealed class RabbitMqBrokerOptions
{
    public RabbitMqBrokerKind Kind { get; init; } = RabbitMqBrokerKind.Auto;

    /// <summary>Enables the management plugin on a local node (the container image always has it). Adds a few seconds to startup.</summary>
    public bool EnableManagement { get; init; }

    /// <summary>How long to wait until the broker accepts AMQP connections (a node that dies fails at once).</summary>
    /// <remarks>A node boots in 5-7 s on an idle 2-core machine but took 35 s under a load of 16.</remarks>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(90);
}
