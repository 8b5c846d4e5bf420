namespace Astra.Dispatch.Storage;

/// <summary>
/// A stored API key: who it is for and what it may do. Never the key itself: only a salted HMAC-SHA256 of its secret,
/// so a copy of the database lets nobody call the API.
/// </summary>
public sealed record ApiKeyRecord
{
    /// <summary>The key id, the middle part of the key (not secret: it names the key in lists, logs and the audit log).</summary>
    public string Id { get; init; } = "";
    /// <summary>A name for people, e.g. <c>crm-sync</c>.</summary>
    public string Name { get; init; } = "";
    /// <summary>admin, operator or viewer.</summary>
    public string Role { get; init; } = "";
    /// <summary>The only tenant the key may see and act on; null for every tenant.</summary>
    public string? TenantId { get; init; }
    /// <summary>The per-key random salt (the HMAC key).</summary>
    public byte[] Salt { get; init; } = [];
    /// <summary>HMAC-SHA256(salt, secret).</summary>
    public byte[] Hash { get; init; } = [];
    /// <summary>When it was created (UTC, round-trip format).</summary>
    public string CreatedAt { get; init; } = "";
    /// <summary>Who created it (<c>cli:user</c> or <c>key:name</c>).</summary>
    public string CreatedBy { get; init; } = "";
    /// <summary>When it was revoked; null while it is valid.</summary>
    public string? RevokedAt { get; init; }
    /// <summary>When it last authenticated a request (updated at most once a minute).</summary>
    public string? LastUsedAt { get; init; }
}

/// <summary>Where API keys are kept (one implementation per supported database).</summary>
public interface IApiKeyStore
{
    /// <summary>Stores a new key and its audit entry in one transaction.</summary>
    Task CreateAsync(ApiKeyRecord key, AuditEntry audit, CancellationToken cancellationToken);

    /// <summary>The key with this id, revoked or not; null when there is none.</summary>
    Task<ApiKeyRecord?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>Every key (of one tenant when <paramref name="tenantId"/> is given), newest first.</summary>
    Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string? tenantId, CancellationToken cancellationToken);

    /// <summary>Revokes a valid key and writes its audit entry in one transaction; false when it does not exist or was already revoked.</summary>
    Task<bool> RevokeAsync(string id, DateTimeOffset at, AuditEntry audit, CancellationToken cancellationToken);

    /// <summary>Records that the key authenticated a request.</summary>
    Task TouchAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);
}
