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
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Delivery;

/// <summary>
/// Performs one attempt of an action: contract headers, credentials, Standard Webhooks signature, a timeout,
/// a bounded read of the response, and the outcome classified. Never throws for endpoint behaviour.
/// <para>
/// Errors are stored and published, so a tenant reads them: for a destination that is not known to be a public
/// address (an internal one, allowed or not, or a name that did not resolve), every failure without an HTTP answer has
/// the same wording and is transient, whether the guard refused it, the port was closed or nothing answered in time, so
/// a tenant cannot map internal names and open ports. The real reason goes to the operator's log.
/// </para>
/// </summary>
internal sealed partial class HttpActionSender(
    GuardedHttpClients clients, ClientCertificateClients certificateClients, NetworkPolicies policies, DestinationReach reach, AuthApplier auth,
    OAuth2TokenClient oauth, SecretStore secrets, TimeProvider time, IOptions<HttpDeliveryOptions> options, ILogger<HttpActionSender> logger)
    : IHttpActionSender
{
    public const int ExcerptChars = 4096;

    public async Task<AttemptOutcome> SendAsync(SendHttpAction action, CompiledRule rule, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var timeout = rule.Timeout ?? options.Value.DefaultTimeout;
        // Defence in depth: the consumer checked it already, and nothing else may add the rule's credentials.
        if (CommandCheck.Refusal(action, rule) is { } refused)
            return new AttemptOutcome(OutcomeKind.Permanent, null, refused, TimeSpan.Zero);
        var destination = new Uri(action.Url);
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            var outcome = await SendOnceAsync(action, rule, refreshedToken: false, started, cancellationToken, timeoutSource.Token);
            // An OAuth2 token may be revoked before it expires: fetch a new one once and try again.
            if (outcome.StatusCode == 401 && rule.Definition.Auth?.Type == "oauth2")
            {
                oauth.Invalidate(rule.Definition.TenantId, rule.Definition.Auth);
                outcome = await SendOnceAsync(action, rule, refreshedToken: true, started, cancellationToken, timeoutSource.Token);
            }
            return outcome;
        }
        catch (TokenEndpointException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(action, ex.TokenUrl, tokenEndpoint: true, ex.InnerException!, timeout, started);
        }
        catch (TokenEndpointException ex)
        {
            throw new OperationCanceledException("stopping", ex, cancellationToken);
        }
        catch (TransientDeliveryException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return new AttemptOutcome(OutcomeKind.Transient, null, ex.Message, time.GetElapsedTime(started));
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is OperationCanceledException or HttpRequestException)
        {
            return Failed(action, destination, tokenEndpoint: false, ex, timeout, started);
        }
        catch (Exception ex) when (FindPermanent(ex) is { } permanent)
        {
            return new AttemptOutcome(OutcomeKind.Permanent, null, permanent, time.GetElapsedTime(started));
        }
    }

    private async Task<AttemptOutcome> SendOnceAsync(SendHttpAction action, CompiledRule rule, bool refreshedToken, long started,
        CancellationToken stopping, CancellationToken cancellationToken)
    {
        using var request = Build(action, rule);
        // Every secret is the rule's tenant's: never the command's tenant, which a command could claim.
        var token = await AuthenticateAsync(request, rule.Definition.TenantId, rule.Definition.Auth, stopping, cancellationToken);
        var client = rule.Definition.ClientCertificate is { } certificate
            ? certificateClients.Get(rule.Definition.TenantId, certificate, policies.For(action.TenantId))
            : clients.For(action.TenantId);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var status = (int)response.StatusCode;
        var body = await ReadBoundedAsync(response.Content, options.Value.MaxResponseBodyBytes, cancellationToken);
        var kind = OutcomeClassifier.Classify(status);
        string? error = kind switch
        {
            OutcomeKind.Succeeded => null,
            // Not the Location: it can carry tokens or internal names.
            _ when status is >= 300 and < 400 => $"redirects are not followed (HTTP {status})",
            _ => $"HTTP {status}" + (refreshedToken ? " (after refreshing the OAuth2 token)" : ""),
        };
        return new AttemptOutcome(kind, status, error, time.GetElapsedTime(started))
        {
            RetryAfter = OutcomeClassifier.RetryAfter(status, response.Headers.RetryAfter, time.GetUtcNow()),
            // An endpoint may echo the access token it was sent; it is no secret the redactor could look up.
            ResponseBody = body is not null && token is not null ? Redactor.Values(body, [token]) : body,
        };
    }

    private HttpRequestMessage Build(SendHttpAction action, CompiledRule rule)
    {
        var request = new HttpRequestMessage(new HttpMethod(action.Method), action.Url);
        // The guard checks that the request went to its tenant's connection pool.
        request.Options.Set(SsrfGuard.TenantOption, action.TenantId);
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
        return request;
    }

    /// <summary>
    /// Adds the rule's credentials; the OAuth2 access token it sent, if any. A token endpoint that cannot be reached is
    /// reported as such (<see cref="TokenEndpointException"/>), so its error is worded for its host, not the action's.
    /// </summary>
    private async Task<string?> AuthenticateAsync(HttpRequestMessage request, string tenantId, AuthDefinition? definition, CancellationToken stopping,
        CancellationToken cancellationToken)
    {
        try
        {
            await auth.ApplyAsync(request, tenantId, definition, cancellationToken);
        }
        catch (Exception ex) when (definition?.TokenUrl is { } tokenUrl && !stopping.IsCancellationRequested
            && ex is HttpRequestException or OperationCanceledException)
        {
            throw new TokenEndpointException(new Uri(tokenUrl), ex);
        }
        return definition?.Type == "oauth2" ? request.Headers.Authorization?.Parameter : null;
    }

    /// <summary>
    /// An attempt that got no HTTP answer from <paramref name="target"/>: the action's URL, or its OAuth2 token endpoint
    /// when <paramref name="tokenEndpoint"/>.
    /// </summary>
    private AttemptOutcome Failed(SendHttpAction action, Uri target, bool tokenEndpoint, Exception ex, TimeSpan timeout, long started)
    {
        var elapsed = time.GetElapsedTime(started);
        var prefix = tokenEndpoint ? "token endpoint: " : "";
        if (ex is HttpRequestException { InnerException: SsrfRefusedException { Refusal: not SsrfRefusal.Address } refused })
            return new AttemptOutcome(OutcomeKind.Permanent, null, prefix + refused.Message, elapsed);
        var reason = ex switch
        {
            OperationCanceledException => $"timed out after {Durations.Format(timeout)}",
            HttpRequestException { InnerException: SsrfRefusedException guarded } => guarded.Message,
            _ => Describe(ex),
        };
        if (!reach.IsKnownPublic(target.IdnHost))
        {
            LogUnreachable(action.DeliveryId, action.TenantId, action.RuleId, $"{target.Host}:{target.Port}", prefix + reason);
            return new AttemptOutcome(OutcomeKind.Transient, null, Unreachable(target, tokenEndpoint), elapsed);
        }
        return new AttemptOutcome(OutcomeKind.Transient, null, prefix + reason, elapsed);
    }

    /// <summary>
    /// The one wording of every failure without an answer from a destination that is not known to be public: refused by
    /// the guard, refused or reset by the host, not resolved, TLS failed, timed out.
    /// </summary>
    internal static string Unreachable(Uri target, bool tokenEndpoint = false) =>
        $"could not reach {(tokenEndpoint ? "the token endpoint " : "")}{target.Host}:{target.Port}: no connection or no answer "
        + "(for a destination that is not a public address the reason is in the worker's log only)";

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
        SsrfRefusedException { Refusal: not SsrfRefusal.Address } s => s.Message,
        SecretNotFoundException s => s.Message,
        FormatException f => f.Message,
        { InnerException: { } inner } => FindPermanent(inner),
        _ => null,
    };

    private static string Describe(Exception ex) => ex.InnerException switch
    {
        SocketException s => $"connection failed: {s.SocketErrorCode}",
        IOException io => $"connection failed: {io.Message}",
        _ when ex is HttpRequestException { HttpRequestError: not HttpRequestError.Unknown } http => $"connection failed: {http.HttpRequestError}",
        _ => $"connection failed: {ex.Message}",
    };

    [LoggerMessage(EventId = 3301, Level = LogLevel.Warning,
        Message = "Delivery {DeliveryId} (tenant {TenantId}, rule {RuleId}) got no answer from {Destination}, which is not a known public address: {Reason}")]
    private partial void LogUnreachable(string deliveryId, string tenantId, string ruleId, string destination, string reason);

    /// <summary>The OAuth2 token endpoint could not be reached (the inner exception says how).</summary>
    private sealed class TokenEndpointException(Uri tokenUrl, Exception inner) : Exception("token endpoint unreachable", inner)
    {
        public Uri TokenUrl { get; } = tokenUrl;
    }
}
