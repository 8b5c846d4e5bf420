using Astra.Dispatch.IntegrationTests.Support;
using Astra.Dispatch.Testing;
using Astra.Dispatch.Testing.Postgres;

namespace Astra.Dispatch.IntegrationTests.Replicas;

/// <summary>
/// Two in-process workers (two hosts, two caches, two pools, two bus connections) on one broker virtual host and one
/// PostgreSQL database, sharing one rules file, and the CLI on the same settings: replicas as an operator runs them.
/// </summary>
internal sealed class TwoWorkers : IAsyncDisposable
{
    private TwoWorkers(PostgresDatabase database, Uri vhost, WorkerHost a, WorkerHost b)
    {
        Database = database;
        Vhost = vhost;
        A = a;
        B = b;
    }

    public PostgresDatabase Database { get; }

    public Uri Vhost { get; }

    public WorkerHost A { get; }

    public WorkerHost B { get; }

    public IReadOnlyList<WorkerHost> Both => [A, B];

    /// <summary>The CLI's configuration: the same database and broker as the workers.</summary>
    public Dictionary<string, string?> CliSettings => new()
    {
        ["Dispatch:RabbitMq:Uri"] = Vhost.ToString(),
        ["Dispatch:Database"] = Database.Url,
        ["Dispatch:Http:AllowPlainHttp"] = "true",
        ["Dispatch:Http:AllowedNetworks:0"] = "127.0.0.0/8",
    };

    public static async Task<TwoWorkers> StartAsync(string label, string rulesYaml, IDictionary<string, string?>? settings = null)
    {
        var vhost = await (await SharedBroker.GetAsync()).CreateVirtualHostAsync(label + Guid.NewGuid().ToString("N")[..6]);
        var database = await SharedPostgres.CreateDatabaseAsync(label);
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["Dispatch:Database"] = database.Url };
        var a = await WorkerHost.StartAsync(vhost, rulesYaml, all);
        // The second replica reads the same rules file, as pods mounting one ConfigMap do.
        var b = await WorkerHost.StartAsync(vhost, rulesYaml, new Dictionary<string, string?>(all) { ["Dispatch:RulesPath"] = a.RulesPath });
        return new TwoWorkers(database, vhost, a, b);
    }

    public async Task<(int ExitCode, string Out, string Err)> CliAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await Astra.Dispatch.Cli.CliApp.RunAsync(args, output, error, CliSettings);
        return (code, output.ToString(), error.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        await B.DisposeAsync();
        await A.DisposeAsync();
        await Database.DisposeAsync();
    }
}
