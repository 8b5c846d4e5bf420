using Astra.Dispatch.Delivery;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Security;
using Astra.Dispatch.Secrets;
using Astra.Dispatch.Tests.Support;
using Astra.Dispatch.Tests.Tenancy;

namespace Astra.Dispatch.Tests.Delivery;

/// <summary>
/// Credential caches keyed by tenant. On main the OAuth2 token cache was keyed by token URL + client id + scope, and
/// looked up before the client secret was read: a rule of another tenant with acme's <c>tokenUrl</c> and
/// <c>clientId</c> was sent acme's cached access token, whatever secret it named, and a rotated secret kept the old
/// token until it expired.
/// </summary>
public sealed class CredentialCacheTests : IDisposable
{
    private readonly TempSecrets _secrets = new(("OAUTH_SECRET", "acme-client-secret-1"));
    private readonly SenderHarness _sender;

    public CredentialCacheTests() => _sender = new SenderHarness(_secrets);

    public void Dispose()
    {
        _sender.Dispose();
        _secrets.Dispose();
    }

    private static RuleDefinition OAuthRule(string tenant, string secret = "OAUTH_SECRET") => SenderHarness.Rule(tenant, auth: new AuthDefinition
    {
        Type = "oauth2", TokenUrl = "https://login.example.com/token", ClientId = "shared-client", Scope = "leads.write", Secret = secret,
    });

    private string AuthorizationOf(string tenant) => _sender.Endpoint.Hooks.Last(r => r.Url.Contains($"//{tenant}.", StringComparison.Ordinal)).Headers["Authorization"];

    [Fact]
    public async Task OAuth2_SameTenantTwice_OneTokenRequest()
    {
        await _sender.SendAsync(OAuthRule("acme"));
        await _sender.SendAsync(OAuthRule("acme"));

        Assert.Single(_sender.Endpoint.TokenRequests);
        Assert.Equal("Bearer token-1", AuthorizationOf("acme"));
    }

    [Fact]
    public async Task OAuth2_EvilWithAcmesTokenUrlAndClientIdButNoSecret_NeverGetsAcmesToken()
    {
        Assert.Equal(OutcomeKind.Succeeded, (await _sender.SendAsync(OAuthRule("acme"))).Kind);

        var evil = await _sender.SendAsync(OAuthRule("evil"));

        Assert.Equal(OutcomeKind.Permanent, evil.Kind);
        Assert.Equal(SecretStore.Describe("evil", "OAUTH_SECRET"), evil.Error);
        Assert.DoesNotContain(_sender.Endpoint.Hooks, r => r.Url.Contains("//evil.", StringComparison.Ordinal));
        Assert.Single(_sender.Endpoint.TokenRequests);
    }

    [Fact]
    public async Task OAuth2_EvilWithItsOwnSecretForTheSameClient_GetsItsOwnToken()
    {
        _secrets.Add("evil", "OAUTH_SECRET", "evil-guess-of-the-secret");
        await _sender.SendAsync(OAuthRule("acme"));

        await _sender.SendAsync(OAuthRule("evil"));

        Assert.Equal("Bearer token-1", AuthorizationOf("acme"));
        Assert.Equal("Bearer token-2", AuthorizationOf("evil"));
        Assert.Contains("client_secret=evil-guess-of-the-secret", _sender.Endpoint.TokenRequests.Last().Body, StringComparison.Ordinal);
    }

    /// <summary>Even knowing acme's secret value, evil's rule gets a token of its own: the cache is per tenant, not per value.</summary>
    [Fact]
    public async Task OAuth2_EvilWithTheSameSecretValue_StillItsOwnTokenRequest()
    {
        _secrets.Add("evil", "OAUTH_SECRET", "acme-client-secret-1");
        await _sender.SendAsync(OAuthRule("acme"));

        await _sender.SendAsync(OAuthRule("evil"));

        Assert.Equal(2, _sender.Endpoint.TokenRequests.Count());
        Assert.Equal("Bearer token-2", AuthorizationOf("evil"));
    }

    [Fact]
    public async Task OAuth2_SecretRotated_NewTokenForTheNewSecret()
    {
        await _sender.SendAsync(OAuthRule("acme"));
        _secrets.Add("acme", "OAUTH_SECRET", "acme-client-secret-2");

        await _sender.SendAsync(OAuthRule("acme"));

        Assert.Equal(2, _sender.Endpoint.TokenRequests.Count());
        Assert.Contains("client_secret=acme-client-secret-2", _sender.Endpoint.TokenRequests.Last().Body, StringComparison.Ordinal);
        Assert.Equal("Bearer token-2", AuthorizationOf("acme"));
    }

    [Fact]
    public void ClientCertificates_KeyedByTenantAndName()
    {
        _secrets.Add("acme", "CERT", CrossTenantSecretTests.SelfSignedPem("CN=acme"));
        _secrets.Add("globex", "CERT", CrossTenantSecretTests.SelfSignedPem("CN=globex"));
        var clients = _sender.Get<ClientCertificateClients>();
        var policy = _sender.Get<NetworkPolicies>().Default;

        var acme = clients.Get("acme", "CERT", policy);

        Assert.Same(acme, clients.Get("acme", "CERT", policy));
        Assert.NotSame(acme, clients.Get("globex", "CERT", policy));
        Assert.Throws<SecretNotFoundException>(() => clients.Get("evil", "CERT", policy));
    }
}
