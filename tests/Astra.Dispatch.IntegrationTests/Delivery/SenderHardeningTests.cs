using Astra.Dispatch.Delivery;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Testing;

namespace Astra.Dispatch.IntegrationTests.Delivery;

/// <summary>What the real sender makes of hostile answers: echoed OAuth2 tokens, broken token endpoints, redirects to secrets.</summary>
public sealed class SenderHardeningTests : IAsyncLifetime
{
    private readonly string _secrets = Directory.CreateTempSubdirectory("astra-hardening-").FullName;
    private HttpReceiver _receiver = null!;
    private DirectSender _sender = null!;

    public async Task InitializeAsync()
    {
        var tenantSecrets = Directory.CreateDirectory(Path.Combine(_secrets, DirectSender.Tenant)).FullName;
        await File.WriteAllTextAsync(Path.Combine(tenantSecrets, "CLIENT_SECRET"), "client-secret-" + Guid.NewGuid().ToString("N"));
        _receiver = await HttpReceiver.StartAsync();
        _sender = DirectSender.Create(new Dictionary<string, string?> { ["Dispatch:SecretsPath"] = _secrets });
    }

    public async Task DisposeAsync()
    {
        await _sender.DisposeAsync();
        await _receiver.DisposeAsync();
        Directory.Delete(_secrets, recursive: true);
    }

    /// <summary>
    /// The access token is no secret the redactor can look up by name: on main an endpoint that echoed it (as is, or JSON
    /// with \/) had it stored in the attempt log and published with a captured response.
    /// </summary>
    [Fact]
    public async Task SendAsync_EndpointEchoesTheOAuth2AccessToken_MaskedInTheResponse()
    {
        var token = "at/" + Guid.NewGuid().ToString("N");
        _receiver.Respond((request, _) => request.Path == "/token"
            ? ReceiverResponse.Ok($$"""{"access_token":"{{token}}","expires_in":3600}""")
            : ReceiverResponse.Ok($$"""{"raw":"{{request.Header("Authorization")}}","php":"{{request.Header("Authorization")!.Replace("/", "\\/", StringComparison.Ordinal)}}"}"""));

        var outcome = await _sender.SendAsync(OAuth2Rule());

        Assert.True(outcome.Kind == OutcomeKind.Succeeded, outcome.Error);
        Assert.Equal($"Bearer {token}", _receiver.Requests.Single(r => r.Path == "/leads").Header("Authorization"));
        Assert.DoesNotContain(token[3..], outcome.ResponseBody, StringComparison.Ordinal);
        Assert.Contains("Bearer ***", outcome.ResponseBody, StringComparison.Ordinal);
    }

    /// <summary>On main the JsonException of an HTML answer escaped the sender: the attempt had no outcome at all.</summary>
    [Fact]
    public async Task SendAsync_TokenEndpointAnswersHtml_PermanentFailureWithAClearError_ActionNotCalled()
    {
        _receiver.Respond((request, _) => request.Path == "/token"
            ? new ReceiverResponse { Body = "<html>Please sign in</html>", ContentType = "text/html" }
            : ReceiverResponse.Ok());

        var outcome = await _sender.SendAsync(OAuth2Rule());

        Assert.Equal((OutcomeKind.Permanent, "token endpoint answered HTTP 200 with a body that is not a JSON token response"), (outcome.Kind, outcome.Error));
        Assert.DoesNotContain(_receiver.Requests, r => r.Path == "/leads");
    }

    /// <summary>On main the error quoted the Location, which can carry a token or an internal name, into the tenant's results.</summary>
    [Fact]
    public async Task SendAsync_Redirect_ErrorWithoutTheLocation()
    {
        _receiver.RespondAlways(ReceiverResponse.Status(302).WithHeader("Location", "https://sso.internal.corp/cb?session=s3cr3t-session"));

        var outcome = await _sender.SendAsync(DirectSender.Rule(_receiver.UrlFor("/leads")));

        Assert.Equal((OutcomeKind.Permanent, 302, "redirects are not followed (HTTP 302)"), (outcome.Kind, outcome.StatusCode, outcome.Error));
    }

    private RuleDefinition OAuth2Rule() => DirectSender.Rule(_receiver.UrlFor("/leads")) with
    {
        Auth = new AuthDefinition { Type = "oauth2", TokenUrl = _receiver.UrlFor("/token").ToString(), ClientId = "astra", Secret = "CLIENT_SECRET" },
    };
}
