using Testcontainers.RabbitMq;

namespace Astra.Dispatch.Testing;

/// <summary>RabbitMQ in Docker via Testcontainers, with fixed host ports so a stop/start keeps the same address.</summary>
internal sealed class ContainerRabbitMq : IBrokerBackend
{
    public const string Image = "rabbitmq:3.13-management";

    private readonly RabbitMqContainer container;
    private bool running;

    private ContainerRabbitMq()
    {
        AmqpPort = FreePorts.Next();
        ManagementPort = FreePorts.Next();
        // The image allows guest from any address (conf.d/10-defaults.conf: loopback_users.guest = false).
        container = new RabbitMqBuilder(Image)
            .WithUsername("guest")
            .WithPassword("guest")
            .WithEnvironment("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", BrokerSettings.ClassicQueueVersion2ErlArgs)
            .WithPortBinding(AmqpPort, RabbitMqBuilder.RabbitMqPort)
            .WithPortBinding(ManagementPort.Value, 15672)
            .Build();
    }

    public RabbitMqBrokerKind Kind => RabbitMqBrokerKind.Container;

    public string Description => $"container {Image} ({Host}:{AmqpPort})";

    public string Host => container.Hostname;

    public int AmqpPort { get; }

    public int? ManagementPort { get; }

    public bool HasExited => !running;

    public static ContainerRabbitMq Create() => new();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await container.StartAsync(cancellationToken);
        running = true;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // docker stop sends SIGTERM: RabbitMQ shuts down cleanly and the container keeps its data.
        await container.StopAsync(cancellationToken);
        running = false;
    }

    public Task StartAgainAsync(CancellationToken cancellationToken) => StartAsync(cancellationToken);

    public async Task<ProcessResult> CtlAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var result = await container.ExecAsync(["rabbitmqctl", .. arguments], cancellationToken);
        return new ProcessResult((int)(result.ExitCode ?? -1), result.Stdout + result.Stderr);
    }

    public ValueTask DisposeAsync() => container.DisposeAsync();

    public async Task<string> DiagnosticsAsync()
    {
        try
        {
            var (stdout, stderr) = await container.GetLogsAsync();
            return "--- container log (tail) ---\n" + string.Join('\n', (stdout + stderr).Split('\n').TakeLast(40));
        }
        catch (Exception ex)
        {
            return $"(container logs unavailable: {ex.Message})";
        }
    }

    public bool FailedOnConflict() => false;
}
