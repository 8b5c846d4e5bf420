namespace Astra.Dispatch.Delivery;

public enum OutcomeKind
{
    Succeeded,
    Transient,
    Permanent,
}

/// <summary>What one HTTP attempt came to. <see cref="Error"/> never holds secret values.</summary>
public sealed record AttemptOutcome(OutcomeKind Kind, int? StatusCode, string? Error, TimeSpan Duration)
{
    /// <summary>Retry-After from a 429/503, when the endpoint gave one.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The response body, read up to <c>Dispatch:Http:MaxResponseBodyBytes</c> and cut there.</summary>
    public string? ResponseBody { get; init; }

    /// <summary>410 Gone: the endpoint says it is gone for good, so the rule is paused.</summary>
    public bool Gone => StatusCode == 410;
}
