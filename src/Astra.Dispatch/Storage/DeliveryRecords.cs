namespace Astra.Dispatch.Storage;

/// <summary>A row of the delivery log, as the CLI and operators see it.</summary>
public sealed record DeliveryRecord
{
    /// <summary>The delivery id.</summary>
    public string Id { get; init; } = "";
    /// <summary>The event.</summary>
    public string EventId { get; init; } = "";
    /// <summary>The event's type.</summary>
    public string EventType { get; init; } = "";
    /// <summary>The rule.</summary>
    public string RuleId { get; init; } = "";
    /// <summary>The tenant.</summary>
    public string TenantId { get; init; } = "";
    /// <summary>pending, retrying, succeeded or failed.</summary>
    public string Status { get; init; } = "";
    /// <summary>Attempts made.</summary>
    public long Attempts { get; init; }
    /// <summary>The last HTTP status, if there was an answer.</summary>
    public long? LastStatusCode { get; init; }
    /// <summary>The last error (redacted).</summary>
    public string? LastError { get; init; }
    /// <summary>When the next attempt is due (retrying only).</summary>
    public string? NextAttemptAt { get; init; }
    /// <summary>When the delivery was created (UTC, round-trip format).</summary>
    public string CreatedAt { get; init; } = "";
    /// <summary>When it last changed.</summary>
    public string UpdatedAt { get; init; } = "";
}

/// <summary>One HTTP attempt of a delivery.</summary>
public sealed record AttemptRecord
{
    /// <summary>The attempt's number, from 1.</summary>
    public long Attempt { get; init; }
    /// <summary>When it started (UTC, round-trip format).</summary>
    public string StartedAt { get; init; } = "";
    /// <summary>How long it took.</summary>
    public double DurationMs { get; init; }
    /// <summary>The HTTP status, if there was an answer.</summary>
    public long? StatusCode { get; init; }
    /// <summary>succeeded, transient, permanent, circuit-open, render-failed or not-sent.</summary>
    public string Outcome { get; init; } = "";
    /// <summary>The error (redacted).</summary>
    public string? Error { get; init; }
    /// <summary>The start of the response body (redacted).</summary>
    public string? ResponseExcerpt { get; init; }
    /// <summary>The W3C trace id the attempt ran in (32 hex characters); null for attempts logged before migration 0004.</summary>
    public string? TraceId { get; init; }
}

/// <summary>Filters for <see cref="IDeliveryLog.ListAsync"/>; null means any.</summary>
public sealed record DeliveryQuery(string? TenantId = null, string? Status = null, string? RuleId = null, string? EventId = null, DateTimeOffset? Since = null, int Limit = 100);
