using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Security;

/// <summary>
/// The network policy of each tenant: its own lists from <c>Dispatch:Http:Tenants:&lt;tenant&gt;</c> where it has them,
/// the operator's default (<c>Dispatch:Http:AllowedNetworks</c>, <c>AllowedPorts</c>) otherwise. Tenants whose lists come
/// to the same policy share one instance, and so one connection pool; see <see cref="SsrfGuard"/>.
/// </summary>
internal sealed class NetworkPolicies
{
    private readonly Dictionary<string, NetworkPolicy> _byTenant = new(StringComparer.Ordinal);

    public NetworkPolicies(IOptions<NetworkOptions> options)
        : this(options.Value)
    {
    }

    internal NetworkPolicies(NetworkOptions options)
    {
        Default = new NetworkPolicy(options.AllowedNetworks, options.AllowedPorts, options.AllowPlainHttp);
        var distinct = new Dictionary<string, NetworkPolicy>(StringComparer.Ordinal) { [Default.Key] = Default };
        foreach (var (tenant, own) in options.Tenants)
        {
            var policy = new NetworkPolicy(own.AllowedNetworks ?? options.AllowedNetworks, own.AllowedPorts ?? options.AllowedPorts, options.AllowPlainHttp)
            {
                Scope = $"policy-{distinct.Count}",
            };
            _byTenant[tenant] = distinct.TryAdd(policy.Key, policy) ? policy : distinct[policy.Key];
        }
        All = [.. distinct.Values];
    }

    /// <summary>The policy of tenants without lists of their own.</summary>
    public NetworkPolicy Default { get; }

    /// <summary>Every distinct policy (one connection pool each).</summary>
    public IReadOnlyList<NetworkPolicy> All { get; }

    /// <summary>The tenant's policy.</summary>
    public NetworkPolicy For(string tenantId) => _byTenant.GetValueOrDefault(tenantId) ?? Default;

    /// <summary>Null when the options are valid; otherwise the first problem, naming its key.</summary>
    public static string? Validate(NetworkOptions options)
    {
        if (!NetworkPolicy.AreNetworks(options.AllowedNetworks))
            return "Dispatch:Http:AllowedNetworks must hold CIDR blocks such as 127.0.0.0/8";
        if (!NetworkPolicy.ArePorts(options.AllowedPorts))
            return "Dispatch:Http:AllowedPorts must hold ports or port ranges such as 8443 or 8000-8999";
        foreach (var (tenant, own) in options.Tenants)
        {
            if (own.AllowedNetworks is { } networks && !NetworkPolicy.AreNetworks(networks))
                return $"Dispatch:Http:Tenants:{tenant}:AllowedNetworks must hold CIDR blocks such as 10.1.0.0/16, or only 'none'";
            if (own.AllowedPorts is { } ports && !NetworkPolicy.ArePorts(ports))
                return $"Dispatch:Http:Tenants:{tenant}:AllowedPorts must hold ports or port ranges such as 8443 or 8000-8999, or only 'none'";
        }
        return null;
    }
}
