using System.Buffers;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Astra.Dispatch.Catalog;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Secrets;
using Astra.Dispatch.Security;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Delivery;

/// <summary>
/// Performs one attempt of an action: contract headers, credentials, Standard Webhooks signature, a timeout,
/// a bounded read of the response, and the outcome classified. Never throws for endpoint behaviour.
/// </summary>
internal sealed class HttpActionSender(
    IHttpClientFactory clients, ClientCertificateClients certificateClients, AuthApplier auth, OAuth2TokenClient oauth, SecretStore secrets, TimeProvider time, IOptions<HttpDeliveryOptions> options) : IHttpActionSender
{
    public const string HttpClientName = "astra-actions";
    public const int ExcerptChars = 4096;

    public async Task<AttemptOutcome> SendAsync(SendHttpAction action, CompiledRule rule, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var timeout = rule.Timeout ?? options.Value.DefaultTimeout;
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            var outcome = await SendOnceAsync(action, rule, refreshedToken: false, started, timeoutSource.Token);
            // An OAuth2 token may be revoked before it expires: fetch a new one once and try again.
            if (outcome.StatusCode == 401 && rule.Definition.Auth?.Type == "oauth2")
            {
                oauth.Invalidate(rule.Definition.TenantId, rule.Definition.Auth);
                outcome = await SendOnceAsync(action, rule, refreshedToken: true, started, timeoutSource.Token);
            }
            return outcome;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new AttemptOutcome(OutcomeKind.Transient, null, $"timed out after {Durations.Format(timeout)}", time.GetElapsedTime(started));
        }
        catch (Exception ex) when (FindPermanent(ex) is { } permanent)
        {
            return new AttemptOutcome(OutcomeKind.Permanent, null, permanent, time.GetElapsedTime(started));
        }
        catch (HttpRequestException ex)
        {
            return new AttemptOutcome(OutcomeKind.Transient, null, Describe(ex), time.GetElapsedTime(started));
        }
    }

    private async Task<AttemptOutcome> SendOnceAsync(SendHttpAction action, CompiledRule rule, bool refreshedToken, long started, CancellationToken cancellationToken)
    {
        using var request = await BuildAsync(action, rule, cancellationToken);
        var client = rule.Definition.ClientCertificate is { } certificate
            ? certificateClients.Get(rule.Definition.TenantId, certificate)
            : clients.CreateClient(HttpClientName);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var status = (int)response.StatusCode;
        var body = await ReadBoundedAsync(response.Content, options.Value.MaxResponseBodyBytes, cancellationToken);
        var kind = OutcomeClassifier.Classify(status);
        string? error = kind switch
        {
            OutcomeKind.Succeeded => null,
            _ when status is >= 300 and < 400 => $"HTTP {status}: redirects are not followed (Location: {response.Headers.Location})",
            _ => $"HTTP {status}" + (refreshedToken ? " (after refreshing the OAuth2 token)" : ""),
        };
        return new AttemptOutcome(kind, status, error, time.GetElapsedTime(started))
        {
            RetryAfter = OutcomeClassifier.RetryAfter(status, response.Headers.RetryAfter, time.GetUtcNow()),
            ResponseBody = body,
        };
    }

    private async Task<HttpRequestMessage> BuildAsync(SendHttpAction action, CompiledRule rule, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(new HttpMethod(action.Method), action.Url);
        var body = action.Body ?? "";
        if (action.Body is not null)
            request.Content = new StringContent(action.Body, Encoding.UTF8, MediaTypeHeaderValue.Parse(action.ContentType ?? "application/json"));
        foreach (var (name, value) in action.Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
                request.Content?.Headers.TryAddWithoutValidation(name, value);
        }
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        request.Headers.TryAddWithoutValidation(RequestHeaders.WebhookId, action.DeliveryId);
        request.Headers.TryAddWithoutValidation(RequestHeaders.WebhookTimestamp, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(RequestHeaders.IdempotencyKey, action.DeliveryId);
        request.Headers.UserAgent.Clear();
        request.Headers.TryAddWithoutValidation("User-Agent", RequestHeaders.UserAgent);
        if (Activity.Current is null)
        {
            // With no tracing listener HttpClient adds no traceparent; the contract wants one on every request.
            request.Headers.TryAddWithoutValidation(RequestHeaders.TraceParent, $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-00");
        }
        // Every secret is the rule's tenant's: never the command's tenant, which a command could claim.
        var tenantId = rule.Definition.TenantId;
        if (rule.Definition.Signing is { } signing)
        {
            var names = (signing.Secrets ?? []).Concat(signing.Secret is null ? [] : [signing.Secret]);
            request.Headers.TryAddWithoutValidation(RequestHeaders.WebhookSignature,
                StandardWebhookSigner.Sign(action.DeliveryId, timestamp, body, names.Select(name => secrets.Get(tenantId, name))));
        }
        await auth.ApplyAsync(request, tenantId, rule.Definition.Auth, cancellationToken);
        return request;
    }

    private static async Task<string?> ReadBoundedAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        // Pooled: most answers are a few bytes, and a fresh 64 KiB buffer per delivery showed in the profile.
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(maxBytes, 64 * 1024));
        try
        {
            using var kept = new MemoryStream();
            int read;
            // Read at most maxBytes, then stop: the rest of a huge body is never pulled into memory.
            while (kept.Length < maxBytes && (read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, maxBytes - kept.Length)), cancellationToken)) > 0)
                kept.Write(buffer, 0, read);
            return kept.Length == 0 ? null : Encoding.UTF8.GetString(kept.GetBuffer(), 0, (int)kept.Length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static string? FindPermanent(Exception ex) => ex switch
    {
        PermanentDeliveryException p => p.Message,
        SsrfRefusedException s => s.Message,
        SecretNotFoundException s => s.Message,
        FormatException f => f.Message,
        { InnerException: { } inner } => FindPermanent(inner),
        _ => null,
    };

    private static string Describe(HttpRequestException ex) => ex.InnerException switch
    {
        SocketException s => $"connection failed: {s.SocketErrorCode}",
        IOException io => $"connection failed: {io.Message}",
        _ => $"connection failed: {ex.HttpRequestError}",
    };
}
