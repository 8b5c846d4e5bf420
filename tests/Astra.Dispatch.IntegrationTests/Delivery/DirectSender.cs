using Astra.Dispatch.Catalog;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Astra.Dispatch.IntegrationTests.Delivery;

/// <summary>The worker's real <see cref="HttpActionSender"/> (with its guarded handlers) without a bus: one attempt of one rule.</summary>
internal sealed class DirectSender : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    /// <summary>The tenant of <see cref="Rule"/>: its secrets are files in <c>&lt;Dispatch:SecretsPath&gt;/t-direct/</c>.</summary>
    public const string Tenant = "t-direct";

    private DirectSender(ServiceProvider services) => _services = services;

    /// <param name="settings">Overrides of the defaults (plain HTTP, loopback, ports 1024-65535).</param>
    /// <param name="logs">A sink for every log line (the operator's view).</param>
    public static DirectSender Create(IDictionary<string, string?>? settings = null, ILoggerProvider? logs = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Dispatch:Http:AllowPlainHttp"] = "true",
            ["Dispatch:Http:AllowedNetworks:0"] = "127.0.0.0/8",
            // Receivers listen on random loopback ports.
            ["Dispatch:Http:AllowedPorts:0"] = "1024-65535",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            all[key] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(all).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration)
            .AddLogging(l => l.SetMinimumLevel(LogLevel.Trace).AddProvider(logs ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerProvider.Instance))
            .AddAstraDispatch().Services;
        return new DirectSender(services.BuildServiceProvider());
    }

    public static RuleDefinition Rule(Uri url, string? clientCertificate = null, string tenant = Tenant, string? timeout = null) => new()
    {
        Id = "direct",
        TenantId = tenant,
        Trigger = new TriggerDefinition { Events = ["lead.captured"] },
        Request = new RequestDefinition { Url = url.ToString(), Body = "{}", Timeout = timeout },
        ClientCertificate = clientCertificate,
    };

    /// <summary>Compiles the rule as an import would (so a missing secret fails here), then sends one attempt.</summary>
    public Task<AttemptOutcome> SendAsync(RuleDefinition rule, CancellationToken cancellationToken = default)
    {
        var errors = new List<RuleError>();
        var compiled = _services.GetRequiredService<RuleCompilerFactory>().ForImport().Compile(rule, 1, enabled: true, pausedReason: null, "test", errors);
        Assert.True(compiled is not null, string.Join("; ", errors));
        return SendAsync(rule, compiled, cancellationToken);
    }

    /// <summary>Sends one attempt of a rule compiled without the configured port and network checks, as a rule stored under other settings.</summary>
    public Task<AttemptOutcome> SendUncheckedAsync(RuleDefinition rule, CancellationToken cancellationToken = default)
    {
        var errors = new List<RuleError>();
        var limits = _services.GetRequiredService<RuleCompilerFactory>().Limits with { Networks = new NetworkPolicies(new NetworkOptions { AllowedPorts = ["1-65535"] }) };
        var compiled = new RuleCompiler(limits).Compile(rule, 1, enabled: true, pausedReason: null, "test", errors);
        Assert.True(compiled is not null, string.Join("; ", errors));
        return SendAsync(rule, compiled, cancellationToken);
    }

    private Task<AttemptOutcome> SendAsync(RuleDefinition rule, CompiledRule compiled, CancellationToken cancellationToken)
    {
        var action = new SendHttpAction
        {
            DeliveryId = "d-" + Guid.NewGuid().ToString("N"),
            EventId = "evt-1",
            EventType = "lead.captured",
            TenantId = rule.TenantId,
            RuleId = rule.Id,
            Method = "POST",
            Url = rule.Request.Url,
            Body = rule.Request.Body,
        };
        return _services.GetRequiredService<IHttpActionSender>().SendAsync(action, compiled, cancellationToken);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
