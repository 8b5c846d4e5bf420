namespace Astra.Dispatch.Delivery;

/// <summary>
/// The outcome contract: 2xx succeeds; 408, 425, 429, 500, 502, 503, 504 are transient; every other status
/// (3xx included: redirects are not followed) is permanent.
/// </summary>
internal static class OutcomeClassifier
{
    public static OutcomeKind Classify(int statusCode) => statusCode switch
    {
        >= 200 and < 300 => OutcomeKind.Succeeded,
        408 or 425 or 429 or 500 or 502 or 503 or 504 => OutcomeKind.Transient,
        _ => OutcomeKind.Permanent,
    };

    /// <summary>Retry-After as seconds or an HTTP date, honoured only on 429 and 503.</summary>
    public static TimeSpan? RetryAfter(int statusCode, System.Net.Http.Headers.RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        if (statusCode is not (429 or 503) || header is null)
            return null;
        var delay = header.Delta ?? (header.Date is { } date ? date - now : null);
        return delay is { } d && d > TimeSpan.Zero ? d : TimeSpan.Zero;
    }
}
