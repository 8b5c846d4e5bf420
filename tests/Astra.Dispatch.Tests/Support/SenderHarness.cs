using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Astra.Dispatch.Catalog;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Astra.Dispatch.Tests.Support;

/// <summary>
/// The worker's real sender (auth, signing, OAuth2 and client certificates, resolved through the DI container) with a
/// recording endpoint in place of the network: <c>/token</c> answers OAuth2 tokens <c>token-1</c>, <c>token-2</c>, …;
/// everything else answers 200.
/// </summary>
internal sealed class SenderHarness : IDisposable
{
    private readonly ServiceProvider _services;

    public SenderHarness(TempSecrets secrets)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Dispatch:SecretsPath"] = secrets.Folder,
            ["Dispatch:Database"] = Path.Combine(secrets.Folder, "unused.db"),
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging().AddAstraDispatch().Services;
        services.AddSingleton(sp => new GuardedHttpClients(_ => Endpoint, sp.GetRequiredService<NetworkPolicies>()));
        _services = services.BuildServiceProvider();
    }

    public RecordingEndpoint Endpoint { get; } = new();

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    public static RuleDefinition Rule(string tenant, AuthDefinition? auth = null, SigningDefinition? signing = null, string? clientCertificate = null) => new()
    {
        Id = "r1",
        TenantId = tenant,
        Trigger = new TriggerDefinition { Events = ["lead.captured"] },
        Request = new RequestDefinition { Method = "POST", Url = $"https://{tenant}.example.com/hook", Body = "{}" },
        Auth = auth,
        Signing = signing,
        ClientCertificate = clientCertificate,
    };

    /// <summary>
    /// One attempt of <paramref name="rule"/> as the sender gets it, whatever its secret names: compiled without them (so
    /// no compiler check stands between a hostile name and the sender), as a rule stored by an older version would be.
    /// </summary>
    public Task<AttemptOutcome> SendAsync(RuleDefinition rule)
    {
        var errors = new List<RuleError>();
        var shell = Get<RuleCompilerFactory>().ForRuntime().Compile(rule with { Auth = null, Signing = null, ClientCertificate = null }, 1, true, null, "test", errors)
            ?? throw new RuleValidationException(errors);
        var compiled = new CompiledRule
        {
            Definition = rule,
            Version = shell.Version,
            Enabled = true,
            Events = shell.Events,
            Method = shell.Method,
            Url = shell.Url,
            Origin = shell.Origin,
            Headers = shell.Headers,
            Query = shell.Query,
            Body = shell.Body,
            ContentType = shell.ContentType,
        };
        var action = new SendHttpAction
        {
            DeliveryId = "msg_" + Guid.NewGuid().ToString("N"),
            EventId = "evt_1",
            EventType = "lead.captured",
            TenantId = rule.TenantId,
            RuleId = rule.Id,
            Method = "POST",
            Url = rule.Request.Url,
            Body = rule.Request.Body,
        };
        return Get<IHttpActionSender>().SendAsync(action, compiled, CancellationToken.None);
    }

    public void Dispose() => _services.Dispose();

    internal sealed class RecordingEndpoint : HttpMessageHandler
    {
        private int _tokens;

        public ConcurrentQueue<Recorded> Requests { get; } = new();

        public IEnumerable<Recorded> Hooks => Requests.Where(r => r.Path != "/token");

        public IEnumerable<Recorded> TokenRequests => Requests.Where(r => r.Path == "/token");

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            var headers = request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
                .ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
            var recorded = new Recorded(request.RequestUri!.AbsolutePath, request.RequestUri.ToString(), headers, body);
            Requests.Enqueue(recorded);
            var json = recorded.Path == "/token"
                ? $$"""{"access_token":"token-{{Interlocked.Increment(ref _tokens)}}","expires_in":3600,"token_type":"Bearer"}"""
                : "{}";
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        }
    }

    internal sealed record Recorded(string Path, string Url, IReadOnlyDictionary<string, string> Headers, string Body)
    {
        /// <summary>Everything the endpoint saw, to look for a value anywhere in it.</summary>
        public string All => $"{Url}\n{string.Join("\n", Headers.Select(h => $"{h.Key}: {h.Value}"))}\n{Body}";
    }
}
