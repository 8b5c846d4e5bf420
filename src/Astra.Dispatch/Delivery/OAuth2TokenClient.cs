using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Secrets;

namespace Astra.Dispatch.Delivery;

/// <summary>
/// OAuth2 client-credentials tokens, cached per (token URL, client, scope) until shortly before they expire.
/// </summary>
internal sealed class OAuth2TokenClient(IHttpClientFactory clients, SecretStore secrets, TimeProvider time)
{
    public const string HttpClientName = "astra-oauth2";

    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset ExpiresAt)> _cache = new();

    public async ValueTask<string> GetTokenAsync(AuthDefinition auth, bool forceRefresh, CancellationToken cancellationToken)
    {
        var key = $"{auth.TokenUrl}|{auth.ClientId}|{auth.Scope}";
        if (!forceRefresh && _cache.TryGetValue(key, out var cached) && cached.ExpiresAt > time.GetUtcNow())
            return cached.Token;

        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = auth.ClientId!,
            ["client_secret"] = secrets.Get(auth.Secret!),
        };
        if (!string.IsNullOrEmpty(auth.Scope))
            form["scope"] = auth.Scope;
        using var response = await clients.CreateClient(HttpClientName).PostAsync(auth.TokenUrl, new FormUrlEncodedContent(form), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var message = $"token endpoint answered {(int)response.StatusCode}";
            throw OutcomeClassifier.Classify((int)response.StatusCode) == OutcomeKind.Transient
                ? new HttpRequestException(message)
                : new PermanentDeliveryException(message);
        }
        var body = await response.Content.ReadFromJsonAsync<TokenResponse>(cancellationToken)
            ?? throw new PermanentDeliveryException("token endpoint returned no token");
        if (string.IsNullOrEmpty(body.AccessToken))
            throw new PermanentDeliveryException("token endpoint returned no access_token");
        // Refresh a little early so a token never expires between the check and the call.
        var lifetime = TimeSpan.FromSeconds(Math.Max(0, (body.ExpiresIn ?? 3600) - 30));
        _cache[key] = (body.AccessToken, time.GetUtcNow() + lifetime);
        return body.AccessToken;
    }

    public void Invalidate(AuthDefinition auth) => _cache.TryRemove($"{auth.TokenUrl}|{auth.ClientId}|{auth.Scope}", out _);

    private sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string? AccessToken,
        [property: JsonPropertyName("expires_in")] int? ExpiresIn);
}
