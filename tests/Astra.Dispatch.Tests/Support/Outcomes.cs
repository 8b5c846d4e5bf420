using System.Net.Http.Headers;
using Astra.Dispatch.Delivery;

namespace Astra.Dispatch.Tests.Support;

/// <summary>Attempt outcomes as the HTTP sender makes them: an answer classified by the contract, or no answer at all.</summary>
internal static class Outcomes
{
    public static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    public static AttemptOutcome Ok => Http(200);

    public static AttemptOutcome TimedOut => new(OutcomeKind.Transient, null, "timed out after 10s", TimeSpan.FromSeconds(10));

    public static AttemptOutcome ConnectionRefused => new(OutcomeKind.Transient, null, "connection failed: ConnectionRefused", TimeSpan.FromMilliseconds(3));

    /// <summary>An answer with <paramref name="status"/>, classified and with its Retry-After read at <see cref="Now"/>.</summary>
    public static AttemptOutcome Http(int status, RetryConditionHeaderValue? retryAfter = null, string? body = null)
    {
        var kind = OutcomeClassifier.Classify(status);
        return new AttemptOutcome(kind, status, kind == OutcomeKind.Succeeded ? null : $"HTTP {status}", TimeSpan.FromMilliseconds(40))
        {
            RetryAfter = OutcomeClassifier.RetryAfter(status, retryAfter, Now),
            ResponseBody = body,
        };
    }

    public static RetryConditionHeaderValue Seconds(int seconds) => new(TimeSpan.FromSeconds(seconds));

    public static RetryConditionHeaderValue Date(TimeSpan fromNow) => new(Now + fromNow);
}
