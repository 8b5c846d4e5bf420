using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Secrets;

namespace Astra.Dispatch.Delivery;

/// <summary>
/// OAuth2 client-credentials tokens, cached until shortly before they expire per (tenant, token URL, client, scope) and
/// for the client secret they were issued for: another tenant's rule with the same token URL and client id never gets
/// this tenant's token (it must present its own secret, from its own tenant), and a rotated secret gets a new token.
/// </summary>
internal sealed class OAuth2TokenClient(IHttpClientFactory clients, SecretStore secrets, TimeProvider time)
{
    public const string HttpClientName = "astra-oauth2";

    private readonly ConcurrentDictionary<TokenKey, CachedToken> _cache = new();

    public async ValueTask<string> GetTokenAsync(string tenantId, AuthDefinition auth, CancellationToken cancellationToken)
    {
        // Read at every call, like every secret: the cached token is only used for the secret it was issued for.
        var clientSecret = secrets.Get(tenantId, auth.Secret!);
        var secretHash = SHA256.HashData(Encoding.UTF8.GetBytes(clientSecret));
        var key = KeyOf(tenantId, auth);
        if (_cache.TryGetValue(key, out var cached) && cached.ExpiresAt > time.GetUtcNow()
            && CryptographicOperations.FixedTimeEquals(cached.SecretHash, secretHash))
            return cached.Token;

        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = auth.ClientId!,
            ["client_secret"] = clientSecret,
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
        _cache[key] = new CachedToken(body.AccessToken, time.GetUtcNow() + lifetime, secretHash);
        return body.AccessToken;
    }

    /// <summary>Forgets the tenant's cached token for this client (the endpoint refused it).</summary>
    public void Invalidate(string tenantId, AuthDefinition auth) => _cache.TryRemove(KeyOf(tenantId, auth), out _);

    private static TokenKey KeyOf(string tenantId, AuthDefinition auth) => new(tenantId, auth.TokenUrl ?? "", auth.ClientId ?? "", auth.Scope ?? "");

    /// <summary>A record struct, not a joined string: no choice of tenant, URL, client or scope can spell another's key.</summary>
    private readonly record struct TokenKey(string TenantId, string TokenUrl, string ClientId, string Scope);

    private sealed record CachedToken(string Token, DateTimeOffset ExpiresAt, byte[] SecretHash);

    private sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string? AccessToken,
        [property: JsonPropertyName("expires_in")] int? ExpiresIn);
}
