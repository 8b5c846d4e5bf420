using System.Text.Json;
using System.Text.RegularExpressions;
using Astra.Dispatch.Storage;

namespace Astra.Dispatch.Management;

/// <summary>
/// Creates, lists, revokes and checks API keys, for the CLI (<c>astra-dispatch keys</c>) and the API alike. Every
/// creation and revocation is an audit entry, written in the same transaction.
/// </summary>
public sealed partial class KeyService(IApiKeyStore store, TimeProvider time)
{
    /// <summary>How often a key's last use is written: at most once a minute, so reads stay reads.</summary>
    private static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(1);

    // A fixed key to hash against when the presented id is unknown, so both paths cost one HMAC.
    private static readonly byte[] DummySalt = ApiKeyFormat.NewSalt();
    private static readonly byte[] DummyHash = ApiKeyFormat.Hash(DummySalt, "");

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex TenantPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")]
    private static partial Regex NamePattern();

    /// <summary>Whether <paramref name="tenantId"/> is a valid tenant id (<c>[a-z0-9][a-z0-9-]{0,62}</c>).</summary>
    public static bool IsTenantId(string? tenantId) => tenantId is not null && TenantPattern().IsMatch(tenantId);

    /// <summary>A new key; its plain text is in the result and nowhere else, ever.</summary>
    public async Task<CreatedApiKey> CreateAsync(ApiRole role, string? tenantId, string? name, Actor actor, CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>();
        if (!Enum.IsDefined(role))
            errors.Add(new FieldError("role", "must be admin, operator or viewer"));
        if (tenantId is not null && !IsTenantId(tenantId))
            errors.Add(new FieldError("tenant", "must be 1-63 characters of a-z, 0-9 and '-', starting with a letter or digit"));
        if (name is not null && !NamePattern().IsMatch(name))
            errors.Add(new FieldError("name", "must be 1-100 characters of letters, digits, '.', '_', '@' and '-', starting with a letter or digit"));
        if (errors.Count > 0)
            throw new ManagementValidationException(errors);

        var (id, secret, key) = ApiKeyFormat.New();
        var salt = ApiKeyFormat.NewSalt();
        var now = Timestamp(time.GetUtcNow());
        var record = new ApiKeyRecord
        {
            Id = id,
            Name = name ?? $"{role.Name()}-{id[..6]}",
            Role = role.Name(),
            TenantId = tenantId,
            Salt = salt,
            Hash = ApiKeyFormat.Hash(salt, secret),
            CreatedAt = now,
            CreatedBy = actor.Name,
        };
        await store.CreateAsync(record, Audit(actor, "key.created", record, now), cancellationToken);
        return new CreatedApiKey(ApiKeyInfo.From(record), key);
    }

    /// <summary>Every key, or one tenant's; never a hash or a secret.</summary>
    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(string? tenantId, CancellationToken cancellationToken) =>
        [.. (await store.ListAsync(tenantId, cancellationToken)).Select(ApiKeyInfo.From)];

    /// <summary>
    /// Revokes a key at once (the next request with it gets 401). With <paramref name="onlyTenant"/>, only a key of that
    /// tenant. False when there is no such valid key.
    /// </summary>
    public async Task<bool> RevokeAsync(string id, string? onlyTenant, Actor actor, CancellationToken cancellationToken)
    {
        var key = await store.FindAsync(id, cancellationToken);
        if (key is null || key.RevokedAt is not null || (onlyTenant is not null && key.TenantId != onlyTenant))
            return false;
        var now = time.GetUtcNow();
        return await store.RevokeAsync(id, now, Audit(actor, "key.revoked", key, Timestamp(now)), cancellationToken);
    }

    /// <summary>The valid key a request presented, or null: unknown, malformed, wrong secret and revoked keys alike.</summary>
    public async Task<ApiKeyInfo?> AuthenticateAsync(string? presented, CancellationToken cancellationToken)
    {
        if (!ApiKeyFormat.TryParse(presented, out var id, out var secret))
            return null;
        var key = await store.FindAsync(id, cancellationToken);
        // Verify even when the id is unknown: the answer takes as long either way.
        var valid = ApiKeyFormat.Verify(key?.Salt ?? DummySalt, key?.Hash ?? DummyHash, secret) && key is not null;
        if (!valid || key!.RevokedAt is not null || !ApiRoles.TryParse(key.Role, out _))
            return null;
        var now = time.GetUtcNow();
        if (key.LastUsedAt is null || !DateTimeOffset.TryParse(key.LastUsedAt, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.RoundtripKind, out var last) || now - last >= TouchInterval)
            await store.TouchAsync(id, now, cancellationToken);
        return ApiKeyInfo.From(key);
    }

    /// <summary>
    /// The key with id <paramref name="id"/> while it is valid, else null (unknown or revoked): a console session, which
    /// holds the key's id and never its secret, is checked with it on every request.
    /// </summary>
    public async Task<ApiKeyInfo?> FindValidAsync(string id, CancellationToken cancellationToken) =>
        await store.FindAsync(id, cancellationToken) is { RevokedAt: null } key && ApiRoles.TryParse(key.Role, out _) ? ApiKeyInfo.From(key) : null;

    private static AuditEntry Audit(Actor actor, string action, ApiKeyRecord key, string now) => new()
    {
        At = now,
        Actor = actor.Name,
        ActorKeyId = actor.KeyId,
        Action = action,
        TenantId = key.TenantId,
        Target = $"keys/{key.Id}",
        Detail = JsonSerializer.Serialize(new { name = key.Name, role = key.Role, tenant = key.TenantId }),
    };

    private static string Timestamp(DateTimeOffset at) => at.ToUniversalTime().ToString("O");
}

/// <summary>A key as people may see it: never its secret or hash.</summary>
public sealed record ApiKeyInfo(string Id, string Name, ApiRole Role, string? TenantId, string CreatedAt, string CreatedBy, string? RevokedAt, string? LastUsedAt)
{
    internal static ApiKeyInfo From(ApiKeyRecord r) =>
        new(r.Id, r.Name, ApiRoles.TryParse(r.Role, out var role) ? role : ApiRole.Viewer, r.TenantId, r.CreatedAt, r.CreatedBy, r.RevokedAt, r.LastUsedAt);
}

/// <summary>A new key: <see cref="Key"/> is shown once and stored nowhere.</summary>
public sealed record CreatedApiKey(ApiKeyInfo Info, string Key);
