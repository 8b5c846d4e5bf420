namespace Astra.Dispatch.Management;

/// <summary>What an API key may do; each role may do everything the one before it may.</summary>
public enum ApiRole
{
    /// <summary>Reads rules, deliveries, status and the audit log.</summary>
    Viewer = 1,
    /// <summary>Also changes rules, resends and redrives, and reads dead letters.</summary>
    Operator = 2,
    /// <summary>Also manages keys; without a tenant, also sees dead letters no tenant can be told for.</summary>
    Admin = 3,
}

/// <summary>Role names as stored and typed: <c>admin</c>, <c>operator</c>, <c>viewer</c>.</summary>
public static class ApiRoles
{
    /// <summary>The lower-case name.</summary>
    public static string Name(this ApiRole role) => role.ToString().ToLowerInvariant();

    /// <summary>Parses a role name (case-insensitive).</summary>
    public static bool TryParse(string? text, out ApiRole role)
    {
        role = default;
        return text?.ToLowerInvariant() switch
        {
            "admin" => Set(ApiRole.Admin, out role),
            "operator" => Set(ApiRole.Operator, out role),
            "viewer" => Set(ApiRole.Viewer, out role),
            _ => false,
        };
    }

    private static bool Set(ApiRole value, out ApiRole role)
    {
        role = value;
        return true;
    }
}
