using System.Net;
using System.Text;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Security;
using Astra.Dispatch.Tests.Support;

namespace Astra.Dispatch.Tests.Delivery;

public sealed class AuthApplierTests : IDisposable
{
    private readonly TempSecrets _secrets = new(("TOKEN", "tok-123456"), ("PASS", "p@ss:word"), ("CLIENT", "client-secret-1"));
    private readonly TokenEndpoint _tokens = new();

    public void Dispose() => _secrets.Dispose();

    private async Task<HttpRequestMessage> ApplyAsync(AuthDefinition auth)
    {
        var applier = new AuthApplier(_secrets.Store, new OAuth2TokenClient(TokenClients(_tokens), _secrets.Store, TimeProvider.System));
        var request = new HttpRequestMessage(HttpMethod.Post, "https://api.example.com/x?a=1");
        await applier.ApplyAsync(request, TempSecrets.Tenant, auth, CancellationToken.None);
        return request;
    }

    [Fact]
    public async Task ApplyAsync_None_AddsNothing()
    {
        var request = await ApplyAsync(new AuthDefinition { Type = "none" });
        Assert.Empty(request.Headers);
        Assert.Equal("https://api.example.com/x?a=1", request.RequestUri!.ToString());
    }

    [Fact]
    public async Task ApplyAsync_Bearer_AuthorizationBearerToken() =>
        Assert.Equal("Bearer tok-123456", (await ApplyAsync(new AuthDefinition { Type = "bearer", Secret = "TOKEN" })).Headers.Authorization!.ToString());

    [Fact]
    public async Task ApplyAsync_Basic_Base64OfUserColonPassword()
    {
        var request = await ApplyAsync(new AuthDefinition { Type = "basic", Username = "ada", Secret = "PASS" });
        Assert.Equal("Basic", request.Headers.Authorization!.Scheme);
        Assert.Equal("ada:p@ss:word", Encoding.UTF8.GetString(Convert.FromBase64String(request.Headers.Authorization.Parameter!)));
    }

    [Fact]
    public async Task ApplyAsync_Header_CustomHeaderWithSecret()
    {
        var request = await ApplyAsync(new AuthDefinition { Type = "header", Name = "X-Api-Key", Secret = "TOKEN" });
        Assert.Equal(["tok-123456"], request.Headers.GetValues("X-Api-Key"));
        Assert.Null(request.Headers.Authorization);
    }

    [Fact]
    public async Task ApplyAsync_Query_AppendsEncodedParameter()
    {
        var request = await ApplyAsync(new AuthDefinition { Type = "query", Name = "api key", Secret = "PASS" });
        Assert.Equal("https://api.example.com/x?a=1&api%20key=p%40ss%3Aword", request.RequestUri!.AbsoluteUri);
    }

    [Fact]
    public async Task ApplyAsync_OAuth2_FetchesTokenOnceAndCachesIt()
    {
        var auth = new AuthDefinition { Type = "oauth2", TokenUrl = "https://login.example.com/token", ClientId = "astra", Secret = "CLIENT", Scope = "leads.write" };
        var applier = new AuthApplier(_secrets.Store, new OAuth2TokenClient(TokenClients(_tokens), _secrets.Store, TimeProvider.System));
        using var first = new HttpRequestMessage(HttpMethod.Post, "https://api.example.com/x");
        using var second = new HttpRequestMessage(HttpMethod.Post, "https://api.example.com/x");
        await applier.ApplyAsync(first, TempSecrets.Tenant, auth, CancellationToken.None);
        await applier.ApplyAsync(second, TempSecrets.Tenant, auth, CancellationToken.None);
        Assert.Equal("Bearer token-1", first.Headers.Authorization!.ToString());
        Assert.Equal("Bearer token-1", second.Headers.Authorization!.ToString());
        Assert.Equal(1, _tokens.Calls);
        Assert.Equal("grant_type=client_credentials&client_id=astra&client_secret=client-secret-1&scope=leads.write", _tokens.LastForm);
    }

    [Fact]
    public async Task ApplyAsync_MissingSecret_ErrorNamesSecretOnly()
    {
        var ex = await Assert.ThrowsAsync<Astra.Dispatch.Secrets.SecretNotFoundException>(() => ApplyAsync(new AuthDefinition { Type = "bearer", Secret = "NOPE" }));
        Assert.Equal("NOPE", ex.SecretName);
    }

    private sealed class TokenEndpoint : HttpMessageHandler
    {
        public int Calls;
        public string? LastForm;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref Calls);
            LastForm = await request.Content!.ReadAsStringAsync(cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent($$"""{"access_token":"token-{{n}}","expires_in":3600,"token_type":"Bearer"}""", Encoding.UTF8, "application/json"),
            };
        }
    }

    /// <summary>Every policy's client sends to <paramref name="handler"/> (never disposed: the tests do not dispose the clients).</summary>
    internal static GuardedHttpClients TokenClients(HttpMessageHandler handler) => new(_ => handler, new NetworkPolicies(new NetworkOptions()));
}
