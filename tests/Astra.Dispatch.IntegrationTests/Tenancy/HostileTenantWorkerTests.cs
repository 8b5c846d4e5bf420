using System.Text.Json;
using Astra.Dispatch.Catalog;
using Astra.Dispatch.Cli;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.IntegrationTests.Support;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Testing;

namespace Astra.Dispatch.IntegrationTests.Tenancy;

/// <summary>
/// Tenant evil, on the same running worker as tenant acme, names acme's secrets (files, an environment variable, an
/// OAuth2 client) under every spelling: through the CLI's import, and through rules already stored (as an older
/// version would have let them in). On main secrets were one namespace and the OAuth2 token cache ignored tenants:
/// evil's import succeeded and its requests carried acme's bearer token, signature, client certificate and access
/// token to evil's own endpoint.
/// </summary>
public sealed class HostileTenantWorkerTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();
    private readonly string _acmeToken = "acme-token-" + Guid.NewGuid().ToString("N");
    private readonly string _acmeOAuthSecret = "acme-oauth-" + Guid.NewGuid().ToString("N");
    private readonly string _acmeEnvValue = "acme-env-" + Guid.NewGuid().ToString("N");
    private readonly string _acmeSigningKey = "whsec_" + Convert.ToBase64String(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).ToArray());
    private string _secrets = "";
    private HttpReceiver _receiver = null!;
    private RawAmqp _amqp = null!;
    private QueueTap _results = null!;
    private WorkerHost _worker = null!;

    private string Acme => "ha-" + _suffix.ToLowerInvariant();

    private string Evil => "he-" + _suffix.ToLowerInvariant();

    /// <summary>Acme's secret held in an environment variable (process-wide: named uniquely for this test).</summary>
    private string EnvSecret => "CRM_ENV_" + _suffix;

    private string EnvVariable => $"ASTRA_SECRET_{Acme.ToUpperInvariant().Replace('-', '_')}__{EnvSecret}";

    private IEnumerable<string> AcmeValues => [_acmeToken, _acmeOAuthSecret, _acmeEnvValue, _acmeSigningKey, "tk-1"];

    public async Task InitializeAsync()
    {
        var vhost = await (await SharedBroker.GetAsync()).CreateVirtualHostAsync(Acme);
        _receiver = await HttpReceiver.StartAsync();
        var tokens = 0;
        _receiver.Respond((request, _) => request.Path == "/token"
            ? ReceiverResponse.Ok($$"""{"access_token":"tk-{{Interlocked.Increment(ref tokens)}}","expires_in":3600}""")
            : ReceiverResponse.Ok("{}"));
        _secrets = Directory.CreateTempSubdirectory("astra-hostile-").FullName;
        var acmeFolder = Directory.CreateDirectory(Path.Combine(_secrets, Acme)).FullName;
        await File.WriteAllTextAsync(Path.Combine(acmeFolder, "CRM_TOKEN"), _acmeToken + "\n");
        await File.WriteAllTextAsync(Path.Combine(acmeFolder, "CRM_SIGNING"), _acmeSigningKey);
        await File.WriteAllTextAsync(Path.Combine(acmeFolder, "OAUTH_SECRET"), _acmeOAuthSecret);
        Environment.SetEnvironmentVariable(EnvVariable, _acmeEnvValue);
        _amqp = await RawAmqp.ConnectAsync(vhost);
        _results = await _amqp.TapAsync(BusNames.ResultsExchange, "action.*");
        var rules = RuleYaml.Post("crm", Acme, _receiver.UrlFor("/acme/crm"), extra: "auth: { type: bearer, secret: CRM_TOKEN }\nsigning: { secret: CRM_SIGNING }")
            + RuleYaml.Post("env", Acme, _receiver.UrlFor("/acme/env"), extra: $"auth: {{ type: header, name: X-Api-Key, secret: {EnvSecret} }}")
            + RuleYaml.Post("oauth", Acme, _receiver.UrlFor("/acme/oauth"),
                extra: $"auth: {{ type: oauth2, tokenUrl: \"{_receiver.UrlFor("/token")}\", clientId: shared-client, scope: leads, secret: OAUTH_SECRET }}");
        _worker = await WorkerHost.StartAsync(vhost, rules, new Dictionary<string, string?> { ["Dispatch:SecretsPath"] = _secrets });
    }

    public async Task DisposeAsync()
    {
        await _worker.DisposeAsync();
        Environment.SetEnvironmentVariable(EnvVariable, null);
        await _results.DisposeAsync();
        await _amqp.DisposeAsync();
        await _receiver.DisposeAsync();
        Directory.Delete(_secrets, recursive: true);
    }

    /// <summary>Acme's secret names as evil may spell them.</summary>
    private IEnumerable<string> Spellings(string name) =>
    [
        name, $"../{Acme}/{name}", $"{Acme}/{name}", $"..\\{Acme}\\{name}", $"{Acme.ToUpperInvariant().Replace('-', '_')}__{name}",
        $"ASTRA_SECRET_{Acme.ToUpperInvariant().Replace('-', '_')}__{name}", Path.Combine(_secrets, Acme, name), ".", "..", $"{name}\0",
        name.Replace('C', '\uFF23'), $"{Acme}\uFF0F{name}", $"_{name}",
    ];

    /// <summary>An evil rule naming <paramref name="secret"/> in <paramref name="field"/>; its requests would go to evil's own path.</summary>
    private RuleDefinition EvilRule(int index, string field, string secret) => new()
    {
        Id = $"evil-{field.ToLowerInvariant()}-{index}",
        TenantId = Evil,
        Trigger = new TriggerDefinition { Events = ["lead.captured"] },
        Request = new RequestDefinition { Url = _receiver.UrlFor($"/evil/{field}/{index}").ToString(), Body = "{}" },
        Auth = field switch
        {
            "bearer" => new AuthDefinition { Type = "bearer", Secret = secret },
            "header" => new AuthDefinition { Type = "header", Name = "X-Api-Key", Secret = secret },
            "oauth2" => new AuthDefinition { Type = "oauth2", TokenUrl = _receiver.UrlFor("/token").ToString(), ClientId = "shared-client", Scope = "leads", Secret = secret },
            _ => null,
        },
        Signing = field == "signing" ? new SigningDefinition { Secret = secret } : null,
        ClientCertificate = field == "certificate" ? secret : null,
    };

    private List<RuleDefinition> EvilRules(IEnumerable<string> names, params string[] fields) =>
        [.. fields.SelectMany(field => names.Select((name, i) => EvilRule(i, field, name)))];

    private async Task<(int Code, string Out, string Err)> CliAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, output, error, new Dictionary<string, string?>
        {
            ["Dispatch:Database"] = _worker.DatabasePath,
            ["Dispatch:SecretsPath"] = _secrets,
            ["Dispatch:Http:AllowPlainHttp"] = "true",
            ["Dispatch:Http:AllowedNetworks:0"] = "127.0.0.0/8",
        });
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task EvilNamesAcmesSecretsEveryWay_RefusedAtImportAndAtSend_AcmeUnaffected()
    {
        // Acme first: its OAuth2 token (tk-1) is now cached in the worker.
        var before = Events.Lead(Acme);
        await _amqp.PublishTextAsync(BusNames.EventsExchange, "lead.captured", before);
        await AcmeDeliveredAsync(before);

        // 1. Through the CLI, against the worker's own database: every spelling in every field is a field error.
        var names = Spellings("CRM_TOKEN").Concat(Spellings("OAUTH_SECRET")).Concat(Spellings(EnvSecret)).Concat(Spellings("CRM_SIGNING")).ToList();
        var hostile = EvilRules(names, "bearer", "header", "oauth2", "signing", "certificate");
        var file = Path.Combine(_worker.Folder, "evil.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(hostile, JsonSerializerOptions.Web));
        var import = await CliAsync("rules", "import", file);
        var listed = await CliAsync("rules", "list", "--tenant", Evil, "--json");

        Assert.Equal(2, import.Code);
        foreach (var rule in hostile)
            Assert.Contains($"evil.json: {rule.Id}.", import.Err, StringComparison.Ordinal);
        Assert.Contains($"names secret 'CRM_TOKEN', which is not set for tenant '{Evil}'", import.Err, StringComparison.Ordinal);
        Assert.Contains("is not a valid secret name", import.Err, StringComparison.Ordinal);
        AssertNoAcmeValue("the CLI's output", import.Out + import.Err);
        Assert.Equal(0, JsonDocument.Parse(listed.Out).RootElement.GetArrayLength());

        // 2. Stored anyway (an older version let them in): valid names load and fail at send time; invalid ones never load.
        var stored = EvilRules(["CRM_TOKEN", "OAUTH_SECRET", EnvSecret, "CRM_SIGNING"], "bearer", "header", "oauth2", "signing", "certificate");
        var invalid = EvilRules([$"{Acme.ToUpperInvariant().Replace('-', '_')}__CRM_TOKEN", $"../{Acme}/CRM_TOKEN"], "bearer").Select(r => r with { Id = "bad-" + r.Id }).ToList();
        await _worker.Get<IRuleStore>().ImportAsync([.. stored, .. invalid], source: null, maxRulesPerTenant: 1000, CancellationToken.None);
        var catalog = _worker.Get<RuleCatalog>();
        await WaitUntilAsync(() => stored.All(r => catalog.Current.Find(Evil, r.Id) is not null));
        Assert.All(invalid, r => Assert.Null(catalog.Current.Find(Evil, r.Id)));

        var evilEvent = Events.Lead(Evil);
        await _amqp.PublishTextAsync(BusNames.EventsExchange, "lead.captured", evilEvent);
        foreach (var rule in stored)
        {
            var failed = await _results.WaitForAsync(m => m.RoutingKey == BusNames.FailedRoutingKey
                && m.BodyText.Contains(Events.Id(evilEvent), StringComparison.Ordinal) && m.Json().GetProperty("ruleId").GetString() == rule.Id, Wait);
            var secret = rule.Auth?.Secret ?? rule.Signing?.Secret ?? rule.ClientCertificate!;
            var error = JsonDocument.Parse(failed.Body).RootElement.GetProperty("error").GetString();
            Assert.Equal($"secret '{secret}' is not set for tenant '{Evil}' (ASTRA_SECRET_{Evil.ToUpperInvariant().Replace('-', '_')}__{secret}, or the file {Evil}/{secret} in Dispatch:SecretsPath)", error);
            Assert.Equal(Evil, failed.Header(BusHeaders.TenantId));
        }

        // 3. Acme is unaffected, the worker alive; nothing of acme's ever reached evil's paths, or left in any result.
        var after = Events.Lead(Acme);
        await _amqp.PublishTextAsync(BusNames.EventsExchange, "lead.captured", after);
        await AcmeDeliveredAsync(after);
        using (var http = new HttpClient())
            Assert.True((await http.GetAsync(new Uri(_worker.HealthUri, "/health/ready"))).IsSuccessStatusCode);
        Assert.DoesNotContain(_receiver.Requests, r => r.Path.StartsWith("/evil/", StringComparison.Ordinal));
        Assert.Equal(1, _receiver.Requests.Count(r => r.Path == "/token"));
        foreach (var request in _receiver.Requests.Where(r => !r.Path.StartsWith("/acme/", StringComparison.Ordinal) && r.Path != "/token"))
            AssertNoAcmeValue($"request {request.Path}", string.Join("\n", request.Headers.Values) + request.Query + request.Body);
        AssertNoAcmeValue("the results", string.Join("\n", _results.Messages.Select(m => m.BodyText)));
    }

    private async Task AcmeDeliveredAsync(string json)
    {
        foreach (var rule in new[] { "crm", "env", "oauth" })
        {
            await _results.WaitForAsync(m => m.RoutingKey == BusNames.SucceededRoutingKey && m.BodyText.Contains(Events.Id(json), StringComparison.Ordinal)
                && m.Json().GetProperty("ruleId").GetString() == rule, Wait);
        }
        Assert.Equal($"Bearer {_acmeToken}", _receiver.Requests.Last(r => r.Path == "/acme/crm").Header("Authorization"));
        Assert.Equal(_acmeEnvValue, _receiver.Requests.Last(r => r.Path == "/acme/env").Header("X-Api-Key"));
        Assert.Equal("Bearer tk-1", _receiver.Requests.Last(r => r.Path == "/acme/oauth").Header("Authorization"));
    }

    private void AssertNoAcmeValue(string where, string text)
    {
        foreach (var value in AcmeValues)
            Assert.True(!text.Contains(value, StringComparison.Ordinal), $"one of acme's secrets ({value[..Math.Min(4, value.Length)]}…) found in {where}");
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the worker did not load the stored rules in time");
            await Task.Delay(100);
        }
    }
}
