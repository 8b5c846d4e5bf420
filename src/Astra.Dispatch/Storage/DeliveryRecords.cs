namespace Astra.Dispatch.Storage;

/// <summary>A row of the delivery log, as the CLI and operators see it.</summary>
public sealed record DeliveryRecord
{
    public string Id { get; init; } = "";
    public string EventId { get; init; } = "";
    public string EventType { get; init; } = "";
    public string RuleId { get; init; } = "";
    public string TenantId { get; init; } = "";
    public string Status { get; init; } = "";
    public long Attempts { get; init; }
    public long? LastStatusCode { get; init; }
    public string? LastError { get; init; }
    public string? NextAttemptAt { get; init; }
    public string CreatedAt { get; init; } = "";
    public string UpdatedAt { get; init; } = "";
}

/// <summary>One HTTP attempt of a delivery.</summary>
public sealed record AttemptRecord
{
    public long Attempt { get; init; }
    public string StartedAt { get; init; } = "";
    public double DurationMs { get; init; }
    public long? StatusCode { get; init; }
    public string Outcome { get; init; } = "";
    public string? Error { get; init; }
    public string? ResponseExcerpt { get; init; }
}

/// <summary>Filters for <see cref="IDeliveryLog.ListAsync"/>; null means any.</summary>
public sealed record DeliveryQuery(string? Status = null, string? RuleId = null, string? EventId = null, DateTimeOffset? Since = null, int Limit = 100);
