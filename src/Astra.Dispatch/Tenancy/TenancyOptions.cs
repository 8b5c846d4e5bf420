namespace Astra.Dispatch.Tenancy;

/// <summary>The <c>Dispatch:Tenancy</c> configuration section.</summary>
public sealed class TenancyOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Dispatch:Tenancy";

    /// <summary>In <see cref="Publishers"/>: the publisher may publish for every tenant.</summary>
    public const string AnyTenant = "*";

    /// <summary>
    /// The publisher binding: each broker user (the AMQP <c>user_id</c> of an event, which RabbitMQ checks against the
    /// connection's user) to the tenants it may publish for, or <see cref="AnyTenant"/>, e.g.
    /// <c>Dispatch:Tenancy:Publishers:agent-runtime-acme:0 = acme</c>. Empty (the default): events are not checked.
    /// </summary>
    public Dictionary<string, List<string>> Publishers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Null when the section is valid; otherwise what is wrong with it.</summary>
    public string? Validate()
    {
        foreach (var (user, tenants) in Publishers)
        {
            if (tenants.Count == 0)
                return $"Dispatch:Tenancy:Publishers:{user} lists no tenant (give tenant ids, or {AnyTenant} for all)";
            if (tenants.FirstOrDefault(t => t != AnyTenant && !TenantIds.IsValid(t)) is { } bad)
                return $"Dispatch:Tenancy:Publishers:{user} holds '{bad}', which is neither a tenant id ({TenantIds.Description}) nor {AnyTenant}";
        }
        return null;
    }
}
