using Astra.Dispatch.Delivery;
using Microsoft.Extensions.DependencyInjection;
using YamlDotNet.RepresentationModel;

namespace Astra.Dispatch.Tests.Deploy;

/// <summary>deploy/k8s/*.yaml parse, carry the fields Kubernetes requires, and agree with each other and the worker.</summary>
public sealed class KubernetesManifestTests
{
    /// <summary>The worker's own shutdown: consumers get ShutdownGrace for in-flight calls, then the bus stops and the log flushes.</summary>
    private static readonly TimeSpan HostShutdown = new RetryOptions().ShutdownGrace + DispatchBusExtensions.StopMargin * 2;

    private static readonly List<YamlNode> Manifests = Directory.GetFiles(RepoFiles.PathOf("deploy/k8s"), "*.yaml")
        .SelectMany(f => RepoFiles.LoadYaml(Path.GetRelativePath(RepoFiles.Root, f))).ToList();

    [Fact]
    public void Manifests_EveryDocument_HasApiVersionKindAndName()
    {
        Assert.NotEmpty(Manifests);
        Assert.All(Manifests, m =>
        {
            Assert.False(string.IsNullOrEmpty(m.Text("apiVersion")));
            Assert.False(string.IsNullOrEmpty(m.Text("kind")));
            Assert.Matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", m.Text("metadata", "name") ?? "");
        });
        Assert.Superset(new HashSet<string> { "Deployment", "Service", "PodDisruptionBudget", "ScaledObject", "ConfigMap" },
            Manifests.Select(m => m.Text("kind")!).ToHashSet());
    }

    [Fact]
    public void Deployment_Probes_UseHealthEndpointsOnTheHealthPort()
    {
        var container = WorkerContainer();
        Assert.Equal("/health/live", container.Text("livenessProbe", "httpGet", "path"));
        Assert.Equal("/health/ready", container.Text("readinessProbe", "httpGet", "path"));
        var port = container.Items("ports").Single();
        Assert.Equal(port.Text("name"), container.Text("readinessProbe", "httpGet", "port"));
        Assert.Equal(port.Text("containerPort"), new Uri(Env(container)["Dispatch__Health__Urls"]!).Port.ToString());
    }

    [Fact]
    public void Deployment_GracePeriod_LongerThanHostShutdownAndHttpTimeout()
    {
        var grace = TimeSpan.FromSeconds(int.Parse(Deployment().Text("spec", "template", "spec", "terminationGracePeriodSeconds")!));
        Assert.True(grace > HostShutdown, $"terminationGracePeriodSeconds is {grace}; the worker needs {HostShutdown} to stop");
        Assert.True(grace > new HttpDeliveryOptions().DefaultTimeout, $"terminationGracePeriodSeconds is {grace}");
    }

    [Fact]
    public void Deployment_SecretsAndRules_MountedWhereConfigPoints()
    {
        var spec = Deployment().At("spec", "template", "spec")!;
        var container = WorkerContainer();
        var env = Env(container);
        string MountOf(Func<YamlNode, bool> volume)
        {
            var name = spec.Items("volumes").Single(volume).Text("name");
            return container.Items("volumeMounts").Single(m => m.Text("name") == name).Text("mountPath")!;
        }
        // One Secret per tenant, each in its tenant's folder: a rule resolves only <SecretsPath>/<its tenant>/NAME.
        var secretVolumes = spec.Items("volumes").Where(v => v.At("secret") is not null).ToList();
        Assert.NotEmpty(secretVolumes);
        foreach (var volume in secretVolumes)
        {
            var mount = MountOf(v => v.Text("name") == volume.Text("name"));
            Assert.Equal(env["Dispatch__SecretsPath"], Path.GetDirectoryName(mount));
            Assert.True(Astra.Dispatch.Tenancy.TenantIds.IsValid(Path.GetFileName(mount)), $"{mount} is not <SecretsPath>/<tenant>");
        }
        var rulesMap = spec.Items("volumes").Single(v => v.At("configMap") is not null).Text("configMap", "name");
        Assert.Equal(env["Dispatch__RulesPath"], MountOf(v => v.At("configMap") is not null));
        Assert.Contains(Manifests, m => m.Text("kind") == "ConfigMap" && m.Text("metadata", "name") == rulesMap);
        Assert.All(env.Keys, name => Assert.True(ConfigKeys.IsKnownVariable(name), name));
    }

    [Fact]
    public void Deployment_Database_UrlFromASecretAndNoPerPodLog()
    {
        var spec = Deployment().At("spec", "template", "spec")!;
        var database = WorkerContainer().Items("env").Single(e => e.Text("name") == "Dispatch__Database");
        Assert.Null(database.Text("value"));
        Assert.Equal("astra-dispatch-database", database.Text("valueFrom", "secretKeyRef", "name"));
        Assert.Equal("url", database.Text("valueFrom", "secretKeyRef", "key"));
        // The emptyDir SQLite file is gone: an emptyDir left is scratch space in memory only.
        Assert.All(spec.Items("volumes").Where(v => v.At("emptyDir") is not null), v => Assert.Equal("Memory", v.Text("emptyDir", "medium")));
        Assert.DoesNotContain(WorkerContainer().Items("volumeMounts"), m => m.Text("mountPath") == "/data");
        Assert.Contains("kubectl create secret generic astra-dispatch-database", File.ReadAllText(RepoFiles.PathOf("deploy/k8s/README.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void Image_ShipsTheCli_OnThePathTheRunbookUses()
    {
        var dockerfile = File.ReadAllText(RepoFiles.PathOf("deploy/Dockerfile"));
        var worker = dockerfile[dockerfile.LastIndexOf("AS worker", StringComparison.Ordinal)..];
        Assert.Contains("dotnet publish src/Astra.Dispatch.Cli/Astra.Dispatch.Cli.csproj", dockerfile, StringComparison.Ordinal);
        Assert.Contains("COPY src/Astra.Dispatch.Cli/Astra.Dispatch.Cli.csproj", dockerfile, StringComparison.Ordinal);
        Assert.Contains("COPY --from=build /out/cli ./cli", worker, StringComparison.Ordinal);
        Assert.Contains("/usr/local/bin/astra-dispatch", worker, StringComparison.Ordinal);
        Assert.Contains("exec dotnet /app/cli/Astra.Dispatch.Cli.dll", worker, StringComparison.Ordinal);
        Assert.Contains("kubectl exec", File.ReadAllText(RepoFiles.PathOf("deploy/RUNBOOK.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void Runbook_DlqPurgeOptions_ExistOnTheCommand()
    {
        var runbook = File.ReadAllText(RepoFiles.PathOf("deploy/RUNBOOK.md"));
        var cli = File.ReadAllText(RepoFiles.PathOf("src/Astra.Dispatch.Cli/DeadLetters/DeadLettersBranch.cs"));
        var purgeSettings = cli[cli.IndexOf("class DlqPurgeSettings", StringComparison.Ordinal)..];
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(runbook, @"dlq purge((?: --?[a-z]+(?: [^ `]+)?)*)"))
        {
            foreach (var option in m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(o => o.StartsWith("--", StringComparison.Ordinal)))
                Assert.Contains($"\"{(option == "--yes" ? "-y|--yes" : option)}", purgeSettings, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Deployment_Container_HasResourcesAndRunsAsNonRoot()
    {
        var container = WorkerContainer();
        Assert.NotNull(container.Text("resources", "requests", "cpu"));
        Assert.NotNull(container.Text("resources", "limits", "memory"));
        Assert.Equal("true", Deployment().Text("spec", "template", "spec", "securityContext", "runAsNonRoot"));
        Assert.Equal("false", container.Text("securityContext", "allowPrivilegeEscalation"));
    }

    [Fact]
    public void ServiceAndPdb_Selectors_MatchDeploymentPods()
    {
        var podLabels = Deployment().Entries("spec", "template", "metadata", "labels").ToDictionary(e => e.Key, e => ((YamlScalarNode)e.Value).Value);
        foreach (var (kind, path) in new[] { ("Service", new[] { "spec", "selector" }), ("PodDisruptionBudget", new[] { "spec", "selector", "matchLabels" }) })
        {
            var selector = Component(kind, "worker").Entries(path).ToList();
            Assert.NotEmpty(selector);
            Assert.All(selector, s => Assert.Equal(podLabels.GetValueOrDefault(s.Key), ((YamlScalarNode)s.Value).Value));
        }
    }

    [Fact]
    public void ScaledObject_Triggers_SendAndEventsQueuesOfTheDeployment()
    {
        var scaled = Manifests.Single(m => m.Text("kind") == "ScaledObject");
        Assert.Equal(Deployment().Text("metadata", "name"), scaled.Text("spec", "scaleTargetRef", "name"));
        var queues = scaled.Items("spec", "triggers").Where(t => t.Text("type") == "rabbitmq").Select(t => t.Text("metadata", "queueName")).ToHashSet();
        Assert.Equal(new HashSet<string?> { "astra.dispatch.send", "astra.dispatch.events" }, queues);
        var auth = scaled.Text("spec", "triggers", "0", "authenticationRef", "name");
        Assert.Contains(Manifests, m => m.Text("kind") == "TriggerAuthentication" && m.Text("metadata", "name") == auth);
    }

    private static YamlNode Deployment() => Component("Deployment", "worker");

    private static YamlNode Component(string kind, string component) =>
        Manifests.Single(m => m.Text("kind") == kind && m.Text("metadata", "labels", "app.kubernetes.io/component") == component);

    [Fact]
    public void Console_OwnDeploymentAndService_ProbesPortAndSharedDatabase()
    {
        var deployment = Component("Deployment", "console");
        var container = deployment.Items("spec", "template", "spec", "containers").Single();
        var env = Env(container);
        var port = container.Items("ports").Single();

        Assert.Equal("/health/live", container.Text("livenessProbe", "httpGet", "path"));
        Assert.Equal("/health/ready", container.Text("readinessProbe", "httpGet", "path"));
        Assert.Equal(port.Text("containerPort"), new Uri(env["Dispatch__Console__Urls"]!).Port.ToString());
        Assert.All(env.Keys, name => Assert.True(ConfigKeys.IsKnownVariable(name), name));
        // Not a per-pod SQLite file: the console must see the workers' deliveries.
        var database = container.Items("env").Single(e => e.Text("name") == "Dispatch__Database");
        Assert.NotNull(database.Text("valueFrom", "secretKeyRef", "name"));
        Assert.Equal("true", deployment.Text("spec", "template", "spec", "securityContext", "runAsNonRoot"));
        Assert.Equal("true", container.Text("securityContext", "readOnlyRootFilesystem"));
        var service = Component("Service", "console");
        var podLabels = deployment.Entries("spec", "template", "metadata", "labels").ToDictionary(e => e.Key, e => ((YamlScalarNode)e.Value).Value);
        Assert.All(service.Entries("spec", "selector"), s => Assert.Equal(podLabels.GetValueOrDefault(s.Key), ((YamlScalarNode)s.Value).Value));
        Assert.Equal(port.Text("name"), service.Text("spec", "ports", "0", "targetPort"));
        Assert.Equal("ClusterIP", service.Text("spec", "type"));
    }

    private static YamlNode WorkerContainer() => Deployment().Items("spec", "template", "spec", "containers").Single();

    private static Dictionary<string, string?> Env(YamlNode container) =>
        container.Items("env").ToDictionary(e => e.Text("name")!, e => e.Text("value"));
}
