using System.Text.Json;
using Astra.Dispatch.Dispatching;
using Astra.Dispatch.Management;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Storage;

namespace Astra.Dispatch.Console.Api;

/// <summary>A rule with its state and <see cref="Etag"/> (also sent as the <c>ETag</c> header). Secrets appear by name only.</summary>
internal sealed record RuleResponse(string Id, string TenantId, string? Name, string State, bool Enabled, string? PausedReason, long Version,
    string? Source, string UpdatedAt, string Etag, RuleDefinition Definition, IReadOnlyList<string> LoadErrors)
{
    public static RuleResponse From(ManagedRule rule) => new(rule.Row.Id, rule.Row.TenantId, rule.Definition.Name,
        rule.Row.Enabled ? "enabled" : rule.Row.PausedReason is null ? "disabled" : "paused", rule.Row.Enabled, rule.Row.PausedReason, rule.Row.Version,
        rule.Row.Source is null ? null : Path.GetFileName(rule.Row.Source), rule.Row.UpdatedAt, ApiResults.ETagOf(rule.Stamp), rule.Definition, rule.LoadErrors);
}

internal sealed record RuleList(IReadOnlyList<RuleResponse> Items);

/// <summary>A rule as one change left it (no definition once deleted).</summary>
internal sealed record RevisionResponse(long Revision, string Action, string Actor, string At, long? Version, bool? Enabled, RuleDefinition? Definition)
{
    public static RevisionResponse From(RuleRevision r) => new(r.Revision, r.Action, r.Actor, r.At, r.Version, r.Enabled,
        r.Definition is null ? null : JsonSerializer.Deserialize<RuleDefinition>(r.Definition, JsonSerializerOptions.Web));
}

internal sealed record RevisionList(IReadOnlyList<RevisionResponse> Items);

/// <summary>A dry run: whether the rule matches the sample event, each check, and the request it would send (credentials masked).</summary>
internal sealed record DryRunResponse(string Rule, bool Matches, IReadOnlyList<MatchCheck> Checks, string? RenderError, RequestPreview? Request);

/// <summary>A page of deliveries, newest first; <see cref="Next"/> is the cursor of the next page, or null at the end.</summary>
internal sealed record DeliveryPage(IReadOnlyList<DeliveryRecord> Items, string? Next);

/// <summary>A delivery and every attempt, oldest first (errors and response excerpts redacted).</summary>
internal sealed record DeliveryDetail(DeliveryRecord Delivery, IReadOnlyList<AttemptRecord> Attempts);

/// <summary>A resend on its way: the delivery's id, rule and event, its status before (now <c>pending</c> again).</summary>
internal sealed record ResendResponse(string Id, string RuleId, string EventId, string PreviousStatus, string Status);

internal sealed record DeadLetterResponse(string Id, string? MessageId, string? DeliveryId, string? EventId, string? RuleId, string? TenantId,
    string? Reason, DateTimeOffset? FailedAt, IReadOnlyDictionary<string, string> Headers, string? Body);

internal sealed record DeadLetterList(string Queue, IReadOnlyList<DeadLetterResponse> Items);

/// <summary>What to redrive, as <c>astra-dispatch dlq redrive</c>: ids, or all (narrowed by rule and since).</summary>
internal sealed record RedriveRequest(string? Queue, IReadOnlyList<string>? Ids, string? Rule, string? Since, bool All);

/// <summary>What moved, where to, which ids asked for were not there; <see cref="Kept"/> (what stayed) only for keys without a tenant, as it counts every tenant's.</summary>
internal sealed record RedriveResponse(IReadOnlyList<string> Moved, int? Kept, string Target, IReadOnlyList<string> NotFound);

internal sealed record BrokerState(string Uri, bool Connected, string? Error);

internal sealed record RuleCountsResponse(int Total, int Enabled, int Disabled, int Paused);

internal sealed record PausedRule(string TenantId, string Id, string Reason, string Since);

/// <summary>
/// The broker, its queues (shared by every tenant, so shown to keys without a tenant only), deliveries per status over
/// the last hour, and rule counts with the paused rules (of the key's tenant, for a tenant key).
/// </summary>
internal sealed record StatusResponse(BrokerState Broker, IReadOnlyList<Astra.Dispatch.Bus.Operations.QueueState>? Queues,
    IReadOnlyDictionary<string, long> DeliveriesLastHour, RuleCountsResponse Rules, IReadOnlyList<PausedRule> PausedRules);

internal sealed record AuditEntryResponse(long Id, string At, string Actor, string? ActorKeyId, string Action, string? TenantId, string Target,
    long? RevisionBefore, long? RevisionAfter, JsonElement? Detail)
{
    public static AuditEntryResponse From(AuditEntry e) => new(e.Id, e.At, e.Actor, e.ActorKeyId, e.Action, e.TenantId, e.Target, e.RevisionBefore,
        e.RevisionAfter, e.Detail is null ? null : JsonSerializer.Deserialize<JsonElement>(e.Detail));
}

internal sealed record AuditPage(IReadOnlyList<AuditEntryResponse> Items, string? Next);

internal sealed record KeyResponse(string Id, string Name, string Role, string? Tenant, string State, string CreatedAt, string CreatedBy, string? RevokedAt,
    string? LastUsedAt)
{
    public static KeyResponse From(ApiKeyInfo k) =>
        new(k.Id, k.Name, k.Role.Name(), k.TenantId, k.RevokedAt is null ? "active" : "revoked", k.CreatedAt, k.CreatedBy, k.RevokedAt, k.LastUsedAt);
}

internal sealed record KeyList(IReadOnlyList<KeyResponse> Items);

internal sealed record CreateKeyRequest(string? Role, string? Tenant, string? Name);

/// <summary>A new key: <see cref="Key"/> is shown this once; only its hash is stored.</summary>
internal sealed record CreatedKeyResponse(string Key, string Id, string Name, string Role, string? Tenant, string CreatedAt);

/// <summary>RFC 9457 problem details of a 422: <see cref="Errors"/> lists every problem found.</summary>
internal sealed record ValidationProblemResponse(string? Type, string? Title, int Status, string? Detail, string? Instance, IReadOnlyList<FieldError> Errors);
