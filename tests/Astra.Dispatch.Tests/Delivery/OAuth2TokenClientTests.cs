using System.Net;
using System.Text;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Tests.Support;

namespace Astra.Dispatch.Tests.Delivery;

/// <summary>
/// What a token endpoint answers is not trusted: read up to 64 KiB, and anything but a JSON token response is a clear
/// failure. On main the body was read whole, and a non-JSON answer threw a JsonException out of the sender's failure
/// handling (the command faulted without a result or a log entry).
/// </summary>
public sealed class OAuth2TokenClientTests : IDisposable
{
    private static readonly AuthDefinition Auth = new() { Type = "oauth2", TokenUrl = "https://login.example.com/token", ClientId = "astra", Secret = "CLIENT" };

    private readonly TempSecrets _secrets = new(("CLIENT", "client-secret-1"));

    public void Dispose() => _secrets.Dispose();

    [Theory]
    [InlineData("<html><body>Sign in</body></html>", "text/html", "token endpoint answered HTTP 200 with a body that is not a JSON token response")]
    [InlineData("{\"access_token\": ", "application/json", "token endpoint answered HTTP 200 with a body that is not a JSON token response")]
    [InlineData("null", "application/json", "token endpoint answered HTTP 200 with JSON null instead of a token response")]
    [InlineData("{\"token_type\":\"Bearer\"}", "application/json", "token endpoint returned no access_token")]
    public async Task GetTokenAsync_NotATokenResponse_PermanentWithAClearMessage(string body, string contentType, string message)
    {
        var ex = await Assert.ThrowsAsync<PermanentDeliveryException>(() => GetAsync(HttpStatusCode.OK, body, contentType));

        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public async Task GetTokenAsync_BodyLargerThan64KiB_PermanentWithoutReadingItAll()
    {
        var huge = "{\"access_token\":\"" + new string('a', 200_000) + "\"}";

        var ex = await Assert.ThrowsAsync<PermanentDeliveryException>(() => GetAsync(HttpStatusCode.OK, huge, "application/json", chunked: true));

        Assert.Equal("token endpoint's response is larger than 64 KiB", ex.Message);
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable, true)]
    [InlineData(HttpStatusCode.TooManyRequests, true)]
    [InlineData(HttpStatusCode.Unauthorized, false)]
    public async Task GetTokenAsync_ErrorStatus_TransientOrPermanentByTheOutcomeTable(HttpStatusCode status, bool transient)
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => GetAsync(status, "{}", "application/json"));

        Assert.Equal(transient ? typeof(TransientDeliveryException) : typeof(PermanentDeliveryException), ex.GetType());
        Assert.Equal($"token endpoint answered {(int)status}", ex.Message);
    }

    [Fact]
    public async Task GetTokenAsync_ExpiresInAsAString_Accepted() =>
        Assert.Equal("t-1", await GetAsync(HttpStatusCode.OK, "{\"access_token\":\"t-1\",\"expires_in\":\"3600\"}", "application/json"));

    private async Task<string> GetAsync(HttpStatusCode status, string body, string contentType, bool chunked = false)
    {
        var client = new OAuth2TokenClient(AuthApplierTests.TokenClients(new Answer(status, body, contentType, chunked)), _secrets.Store, TimeProvider.System);
        return await client.GetTokenAsync("acme", Auth, CancellationToken.None);
    }

    private sealed class Answer(HttpStatusCode status, string body, string contentType, bool chunked) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            HttpContent content = chunked
                ? new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body)))
                : new StringContent(body, Encoding.UTF8);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
            return Task.FromResult(new HttpResponseMessage(status) { Content = content });
        }
    }
}
