namespace Astra.Dispatch.Delivery;

/// <summary>How an attempt ended, by the outcome contract.</summary>
public enum OutcomeKind
{
    /// <summary>2xx.</summary>
    Succeeded,

    /// <summary>408, 425, 429, 500, 502, 503, 504, a timeout or a connection error: retried.</summary>
    Transient,

    /// <summary>Anything else: not retried.</summary>
    Permanent,
}

/// <summary>What one HTTP attempt came to. <see cref="Error"/> never holds secret values.</summary>
public sealed record AttemptOutcome(OutcomeKind Kind, int? StatusCode, string? Error, TimeSpan Duration)
{
    /// <summary>Retry-After from a 429/503 when the endpoint gave one, or the time until an open circuit's next probe.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The response body, read up to <c>Dispatch:Http:MaxResponseBodyBytes</c> and cut there.</summary>
    public string? ResponseBody { get; init; }

    /// <summary>The start of the response body kept in the attempt log and shown by the CLI.</summary>
    public string? ResponseExcerpt =>
        ResponseBody is { Length: > HttpActionSender.ExcerptChars } ? ResponseBody[..HttpActionSender.ExcerptChars] : ResponseBody;

    /// <summary>Not sent: the destination's circuit is open (see <see cref="DestinationBreaker"/>).</summary>
    public bool ShortCircuited { get; init; }

    /// <summary>The outcome's name in the attempt log, metrics and traces.</summary>
    public string Name => ShortCircuited ? AttemptOutcomes.CircuitOpen : Kind.ToString().ToLowerInvariant();

    /// <summary>410 Gone: the endpoint says it is gone for good, so the rule is paused.</summary>
    public bool Gone => StatusCode == 410;
}

/// <summary>The outcome names of the attempt log that are not an <see cref="OutcomeKind"/>.</summary>
internal static class AttemptOutcomes
{
    /// <summary>Not sent: the destination's circuit was open.</summary>
    public const string CircuitOpen = "circuit-open";

    /// <summary>No request: the rule's templates could not render the event.</summary>
    public const string RenderFailed = "render-failed";

    /// <summary>Not sent: the rule was gone, disabled, paused, or not the command's tenant's.</summary>
    public const string NotSent = "not-sent";
}
