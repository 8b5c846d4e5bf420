using System.Security.Claims;
using Astra.Dispatch.Management;

namespace Astra.Dispatch.Console.Authentication;

/// <summary>The API key behind a request: its id, name, role and, when it has one, its only tenant.</summary>
internal sealed record Caller(string KeyId, string Name, ApiRole Role, string? TenantId)
{
    public const string KeyIdClaim = "astra:key_id";
    public const string RoleClaim = "astra:role";
    public const string TenantClaim = "astra:tenant";

    /// <summary>Who the audit log and rule revisions say made a change.</summary>
    public Actor Actor => Actor.Key(Name, KeyId);

    /// <summary>Whether the key may see <paramref name="tenantId"/>.</summary>
    public bool Sees(string tenantId) => TenantId is null || TenantId == tenantId;

    public ClaimsPrincipal ToPrincipal(string scheme) => new(new ClaimsIdentity(
    [
        new Claim(KeyIdClaim, KeyId),
        new Claim(ClaimTypes.Name, Name),
        new Claim(RoleClaim, Role.Name()),
        .. TenantId is null ? Array.Empty<Claim>() : [new Claim(TenantClaim, TenantId)],
    ], scheme, ClaimTypes.Name, RoleClaim));

    /// <summary>The caller of an authenticated request, or null.</summary>
    public static Caller? From(ClaimsPrincipal user) =>
        user.FindFirst(KeyIdClaim)?.Value is { } id && ApiRoles.TryParse(user.FindFirst(RoleClaim)?.Value, out var role)
            ? new Caller(id, user.Identity?.Name ?? id, role, user.FindFirst(TenantClaim)?.Value)
            : null;

    /// <summary>The caller of a request that passed authorization (every API route requires one).</summary>
    public static Caller Of(HttpContext context) => From(context.User) ?? throw new InvalidOperationException("the request is not authenticated");
}
