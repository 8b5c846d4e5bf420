using Astra.Dispatch.Catalog;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Security;
using YamlDotNet.RepresentationModel;

namespace Astra.Dispatch.Tests.Deploy;

/// <summary>docker-compose.yml is checked by reading it (Docker isn't available in CI): services, ports, mounts, variables.</summary>
public sealed class ComposeFileTests
{
    private static readonly YamlNode Compose = RepoFiles.LoadYaml("docker-compose.yml").Single();

    [Fact]
    public void Services_FullStack_AllPresent()
    {
        var services = Compose.Entries("services").Select(e => e.Key).ToHashSet();
        Assert.Superset(new HashSet<string> { "rabbitmq", "postgres", "worker", "console", "demo-receiver", "otel-collector", "jaeger", "prometheus", "grafana" }, services);
    }

    [Fact]
    public void Worker_Replicas_TwoBuiltFromDeployDockerfile()
    {
        var worker = Compose.At("services", "worker")!;
        Assert.Equal("2", worker.Text("deploy", "replicas"));
        Assert.Equal("deploy/Dockerfile", worker.Text("build", "dockerfile"));
        Assert.True(File.Exists(RepoFiles.PathOf("deploy/Dockerfile")));
        Assert.Contains($"AS {worker.Text("build", "target")}", File.ReadAllText(RepoFiles.PathOf("deploy/Dockerfile")), StringComparison.Ordinal);
    }

    [Fact]
    public void Worker_Environment_OnlyKnownConfigKeys()
    {
        var names = WorkerEnvironment().Keys.ToList();
        Assert.Contains("Dispatch__RabbitMq__Uri", names);
        Assert.Contains("Dispatch__RulesPath", names);
        Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT", names);
        var unknown = names.Where(n => !ConfigKeys.IsKnownVariable(n)).ToList();
        Assert.Empty(unknown);
    }

    [Fact]
    public void Worker_Broker_PointsAtRabbitMqServiceWithItsUser()
    {
        var env = WorkerEnvironment();
        var uri = new Uri(env["Dispatch__RabbitMq__Uri"]);
        var rabbit = Compose.At("services", "rabbitmq")!;
        Assert.Equal("rabbitmq", uri.Host);
        Assert.Equal($"{rabbit.Text("environment", "RABBITMQ_DEFAULT_USER")}:{rabbit.Text("environment", "RABBITMQ_DEFAULT_PASS")}", uri.UserInfo);
        Assert.Contains(rabbit.Items("ports").Select(p => ((YamlScalarNode)p).Value), p => p == "5672:5672");
        Assert.Contains(rabbit.Items("ports").Select(p => ((YamlScalarNode)p).Value), p => p == "15672:15672");
        Assert.EndsWith("-management", rabbit.Text("image"), StringComparison.Ordinal);
        // The image is 3.13: classic queues default to storage version 1 there (README, Operations).
        Assert.Equal("-rabbit classic_queue_default_version 2", rabbit.Text("environment", "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"));
    }

    [Fact]
    public void Workers_Database_TheComposePostgresWithItsUserAndDatabase()
    {
        var url = WorkerEnvironment()["Dispatch__Database"];
        var postgres = Compose.At("services", "postgres")!;
        Assert.True(Astra.Dispatch.Storage.DatabaseUrl.IsPostgres(url), url);
        var parsed = Astra.Dispatch.Storage.Postgres.PostgresConnectionUrl.Parse(url);
        Assert.Equal(("postgres", 5432), (parsed.Host, parsed.Port));
        Assert.Equal((postgres.Text("environment", "POSTGRES_USER"), postgres.Text("environment", "POSTGRES_PASSWORD"), postgres.Text("environment", "POSTGRES_DB")),
            (parsed.Username, parsed.Password, parsed.Database));
        Assert.Equal("service_healthy", Compose.Text("services", "worker", "depends_on", "postgres", "condition"));
        Assert.Contains("pg_isready", string.Join(" ", postgres.Items("healthcheck", "test").Select(t => ((YamlScalarNode)t).Value)), StringComparison.Ordinal);
        // Both replicas on the one database: no per-replica file.
        Assert.Null(Compose.At("services", "worker", "volumes")?.AllNodes.OfType<YamlScalarNode>().FirstOrDefault(v => v.Value?.Contains("/data", StringComparison.Ordinal) == true));
    }

    [Fact]
    public void Worker_RulesPath_IsMountedDemoRulesFileThatCompiles()
    {
        var rulesPath = WorkerEnvironment()["Dispatch__RulesPath"];
        var mount = Compose.At("services", "worker")!.Items("volumes").Select(v => ((YamlScalarNode)v).Value!.Split(':'))
            .Single(v => rulesPath.StartsWith(v[1] + "/", StringComparison.Ordinal));
        var hostFile = Path.Combine(RepoFiles.PathOf(mount[0]), rulesPath[(mount[1].Length + 1)..]);
        Assert.True(File.Exists(hostFile), hostFile);

        var errors = new List<RuleError>();
        var definitions = RuleDocumentReader.ReadFile(hostFile, errors);
        var environment = WorkerEnvironment();
        var network = new NetworkOptions
        {
            AllowPlainHttp = environment["Dispatch__Http__AllowPlainHttp"] == "true",
            AllowedPorts = [.. environment.Where(e => e.Key.StartsWith("Dispatch__Http__AllowedPorts__", StringComparison.Ordinal)).Select(e => e.Value)],
        };
        // The worker's settings: plain HTTP and the receiver's port must be allowed for these rules to load.
        var compiler = new RuleCompiler(new RuleLimits { AllowPlainHttp = network.AllowPlainHttp, Networks = new NetworkPolicies(network) });
        var compiled = definitions.Select(d => compiler.Compile(d, 1, true, null, hostFile, errors)).ToList();
        Assert.Empty(errors);
        Assert.NotEmpty(compiled);
        Assert.All(definitions, d => Assert.StartsWith("http://demo-receiver:8080/", d.Request.Url, StringComparison.Ordinal));
    }

    [Fact]
    public void Prometheus_ScrapesWorkerOnItsHealthPort()
    {
        var healthPort = new Uri(WorkerEnvironment()["Dispatch__Health__Urls"]).Port;
        var prometheus = RepoFiles.LoadYaml("deploy/prometheus/prometheus.yml").Single();
        var job = prometheus.Items("scrape_configs").Single(j => j.Text("job_name") == "astra-dispatch-worker");
        Assert.Equal("/metrics", job.Text("metrics_path"));
        Assert.Equal(healthPort.ToString(), job.Text("dns_sd_configs", "0", "port"));
        Assert.Equal("worker", job.Text("dns_sd_configs", "0", "names", "0"));
    }

    [Fact]
    public void BindMounts_HostPaths_Exist()
    {
        var missing = Compose.Entries("services")
            .SelectMany(s => s.Value.Items("volumes").Select(v => ((YamlScalarNode)v).Value!.Split(':')[0]))
            .Where(source => source.StartsWith("./", StringComparison.Ordinal))
            .Where(source => !File.Exists(RepoFiles.PathOf(source[2..])) && !Directory.Exists(RepoFiles.PathOf(source[2..])))
            .ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void Collector_ExportsTracesToJaegerOverOtlp()
    {
        var worker = WorkerEnvironment();
        Assert.Equal("http://otel-collector:4317", worker["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var collector = RepoFiles.LoadYaml("deploy/otel-collector/config.yaml").Single();
        Assert.Equal("0.0.0.0:4317", collector.Text("receivers", "otlp", "protocols", "grpc", "endpoint"));
        Assert.Equal("jaeger:4317", collector.Text("exporters", "otlp/jaeger", "endpoint"));
        Assert.Contains("otlp/jaeger", collector.Items("service", "pipelines", "traces", "exporters").Select(e => ((YamlScalarNode)e).Value));
    }

    [Fact]
    public void GrafanaDashboard_Panels_CoverThroughputLatencyFailuresQueuesRetries()
    {
        using var dashboard = System.Text.Json.JsonDocument.Parse(File.ReadAllText(RepoFiles.PathOf("deploy/grafana/dashboards/astra-dispatch.json")));
        var exprs = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!).ToList();
        string[] required = ["astra_dispatch_events_consumed_total", "astra_dispatch_delivery_latency_seconds_bucket", "astra_dispatch_attempts_total",
            "rabbitmq_detailed_queue_messages_ready", "astra_dispatch_retries_scheduled_total"];
        Assert.All(required, metric => Assert.Contains(exprs, e => e.Contains(metric, StringComparison.Ordinal)));
    }

    [Fact]
    public void Console_OwnServiceOnTheWorkersDatabaseAndBroker_LoopbackPort()
    {
        var console = Compose.At("services", "console")!;
        var env = console.Entries("environment").ToDictionary(e => e.Key, e => ((YamlScalarNode)e.Value).Value!);
        var worker = WorkerEnvironment();

        Assert.Contains($"AS {console.Text("build", "target")}", File.ReadAllText(RepoFiles.PathOf("deploy/Dockerfile")), StringComparison.Ordinal);
        Assert.Equal(worker["Dispatch__RabbitMq__Uri"], env["Dispatch__RabbitMq__Uri"]);
        Assert.Equal(worker["Dispatch__Database"], env["Dispatch__Database"]);
        Assert.All(env.Keys, name => Assert.True(ConfigKeys.IsKnownVariable(name), name));
        // The workers' PostgreSQL, up before the console starts.
        Assert.True(Astra.Dispatch.Storage.DatabaseUrl.IsPostgres(env["Dispatch__Database"]));
        Assert.Equal("service_healthy", console.Text("depends_on", "postgres", "condition"));
        var port = new Uri(env["Dispatch__Console__Urls"]).Port;
        Assert.Equal($"127.0.0.1:{port}:{port}", console.Items("ports").Select(p => ((YamlScalarNode)p).Value).Single());
        var prometheus = RepoFiles.LoadYaml("deploy/prometheus/prometheus.yml").Single();
        var job = prometheus.Items("scrape_configs").Single(j => j.Text("job_name") == "astra-dispatch-console");
        Assert.Equal($"console:{port}", job.Text("static_configs", "0", "targets", "0"));
    }

    private static Dictionary<string, string> WorkerEnvironment() =>
        Compose.At("services", "worker")!.Entries("environment").ToDictionary(e => e.Key, e => ((YamlScalarNode)e.Value).Value!);
}
