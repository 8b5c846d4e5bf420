using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Secrets;
using Astra.Dispatch.Security;

namespace Astra.Dispatch.Delivery;

/// <summary>
/// OAuth2 client-credentials tokens, cached until shortly before they expire per (tenant, token URL, client, scope) and
/// for the client secret they were issued for: another tenant's rule with the same token URL and client id never gets
/// this tenant's token (it must present its own secret, from its own tenant), and a rotated secret gets a new token.
/// Token requests go through the tenant's guarded client (its network policy), like the actions themselves.
/// </summary>
internal sealed class OAuth2TokenClient(GuardedHttpClients clients, SecretStore secrets, TimeProvider time)
{
    /// <summary>A token response is a few hundred bytes; anything past this is not one, and is not read further.</summary>
    public const int MaxResponseBytes = 64 * 1024;

    // Some providers send expires_in as a string.
    private static readonly JsonSerializerOptions JsonOptions = new() { NumberHandling = JsonNumberHandling.AllowReadingFromString };

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
        using var request = new HttpRequestMessage(HttpMethod.Post, auth.TokenUrl) { Content = new FormUrlEncodedContent(form) };
        request.Options.Set(SsrfGuard.TenantOption, tenantId);
        using var response = await clients.For(tenantId).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var message = $"token endpoint answered {(int)response.StatusCode}";
            throw OutcomeClassifier.Classify((int)response.StatusCode) == OutcomeKind.Transient
                ? new TransientDeliveryException(message)
                : new PermanentDeliveryException(message);
        }
        var body = Parse(await ReadBoundedAsync(response.Content, cancellationToken), (int)response.StatusCode);
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

    /// <summary>
    /// The token response, or a permanent failure saying what was wrong with it: an endpoint that answers 2xx with an
    /// HTML page or a broken document is misconfigured, and asking again will not change that. Never the body itself
    /// (it may hold a token).
    /// </summary>
    private static TokenResponse Parse(byte[] body, int status)
    {
        try
        {
            return JsonSerializer.Deserialize<TokenResponse>(body, JsonOptions)
                ?? throw new PermanentDeliveryException($"token endpoint answered HTTP {status} with JSON null instead of a token response");
        }
        catch (JsonException)
        {
            throw new PermanentDeliveryException($"token endpoint answered HTTP {status} with a body that is not a JSON token response");
        }
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > MaxResponseBytes)
            throw new PermanentDeliveryException($"token endpoint's response is larger than {MaxResponseBytes / 1024} KiB");
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var kept = new MemoryStream();
        var buffer = new byte[8192];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (kept.Length + read > MaxResponseBytes)
                throw new PermanentDeliveryException($"token endpoint's response is larger than {MaxResponseBytes / 1024} KiB");
            kept.Write(buffer, 0, read);
        }
        return kept.ToArray();
    }

    /// <summary>A record struct, not a joined string: no choice of tenant, URL, client or scope can spell another's key.</summary>
    private readonly record struct TokenKey(string TenantId, string TokenUrl, string ClientId, string Scope);

    private sealed record CachedToken(string Token, DateTimeOffset ExpiresAt, byte[] SecretHash);

    private sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string? AccessToken,
        [property: JsonPropertyName("expires_in")] int? ExpiresIn);
}
