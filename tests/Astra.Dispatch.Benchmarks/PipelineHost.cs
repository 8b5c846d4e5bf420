using System.Text.Json;
using RabbitMQ.Client;

namespace Astra.Dispatch.Benchmarks;

/// <summary>
/// The child side of a <see cref="PipelineProcess"/>: <c>pipeline KIND SCENARIO-JSON OK-URL HANG-URL</c>, the broker's URI in
/// <see cref="BrokerVariable"/>.
/// Declares the pipeline's queues and says <see cref="Declared"/>; starts consuming when stdin says
/// <see cref="Start"/> and says <see cref="Started"/>; stops when stdin ends.
/// </summary>
internal static class PipelineHost
{
    public const string Command = "pipeline";
    public const string BrokerVariable = "ASTRA_BENCH_BROKER";
    public const string Declared = "@declared";
    public const string Start = "@start";
    public const string Started = "@started";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextReader input, TextWriter output, CancellationToken cancellationToken)
    {
        var kind = Enum.Parse<PipelineKind>(args[0]);
        var scenario = JsonSerializer.Deserialize<Scenario>(args[1]) ?? throw new ArgumentException("no scenario");
        var routes = scenario.BaselineRoutes(new Uri(args[2]), new Uri(args[3]));
        var broker = new Uri(Environment.GetEnvironmentVariable(BrokerVariable) ?? throw new ArgumentException($"{BrokerVariable} is not set"));

        var factory = new ConnectionFactory { Uri = broker, ClientProvidedName = $"astra-bench-{kind}" };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        await using var pipeline = ComparisonPipelines.Create(kind, broker, connection, routes);
        await pipeline.DeclareAsync(cancellationToken);
        await output.WriteLineAsync(Declared);
        if (await input.ReadLineAsync(cancellationToken) != Start)
            return 0;
        await pipeline.StartAsync(cancellationToken);
        await output.WriteLineAsync(Started);
        while (await input.ReadLineAsync(cancellationToken) is not null)
        {
        }
        return 0;
    }
}
