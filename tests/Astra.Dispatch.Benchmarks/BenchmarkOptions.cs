namespace Astra.Dispatch.Benchmarks;

/// <summary>
/// Command line: <c>[--quick] [--scenario a,b,...] [--database sqlite,postgres] [--broker amqp://...] [--worker-dll path]
/// [--worker-only] [--set Key=Value]...</c>.
/// </summary>
internal sealed class BenchmarkOptions
{
    public static readonly string[] AllScenarios = ["a", "b", "c", "d", "e", "f", "g", "replicas"];

    public static readonly string[] AllDatabases = ["sqlite", "postgres"];

    public bool Quick { get; private set; }
    public IReadOnlyList<string> Scenarios { get; private set; } = AllScenarios;
    public Uri? Broker { get; private set; }
    public string? WorkerDll { get; private set; }

    /// <summary>The worker's database in each scenario, one run of it per database (SQLite by default).</summary>
    public IReadOnlyList<string> Databases { get; private set; } = ["sqlite"];

    /// <summary>Skip the baselines (tuning experiments compare the worker's own figures between runs).</summary>
    public bool WorkerOnly { get; private set; }

    /// <summary>Worker configuration overrides (tuning experiments), passed as <c>Dispatch__...</c> variables.</summary>
    public Dictionary<string, string> WorkerSettings { get; } = [];

    public int Events => Quick ? 2_000 : 20_000;
    public int FanOutEvents => Quick ? 1_000 : 5_000;
    public int BacklogEvents => Quick ? 5_000 : 100_000;
    public TimeSpan PacedDuration => Quick ? TimeSpan.FromSeconds(4) : TimeSpan.FromSeconds(15);

    /// <summary>Scenario (g): the rate events arrive at from the moment a side is ready, and for how long.</summary>
    public double ColdPerSecond => 200;

    public TimeSpan ColdDuration => Quick ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(20);

    public static BenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchmarkOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--quick":
                    options.Quick = true;
                    break;
                case "--scenario":
                    var chosen = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    if (chosen.FirstOrDefault(s => !AllScenarios.Contains(s)) is { } unknown)
                        throw new ArgumentException($"unknown scenario {unknown}; known: {string.Join(',', AllScenarios)}");
                    options.Scenarios = chosen;
                    break;
                case "--database":
                    var databases = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    if (databases.FirstOrDefault(d => !AllDatabases.Contains(d)) is { } unknownDatabase)
                        throw new ArgumentException($"unknown database {unknownDatabase}; known: {string.Join(',', AllDatabases)}");
                    options.Databases = databases;
                    break;
                case "--broker":
                    options.Broker = new Uri(Next());
                    break;
                case "--worker-dll":
                    options.WorkerDll = Next();
                    break;
                case "--worker-only":
                    options.WorkerOnly = true;
                    break;
                case "--set":
                    var pair = Next().Split('=', 2);
                    if (pair.Length != 2)
                        throw new ArgumentException("--set needs Key=Value");
                    options.WorkerSettings[pair[0]] = pair[1];
                    break;
                default:
                    throw new ArgumentException($"unknown argument {args[i]}");
            }
        }
        return options;
    }
}
