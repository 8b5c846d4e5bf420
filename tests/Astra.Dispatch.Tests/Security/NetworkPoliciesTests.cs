using System.Net;
using Astra.Dispatch.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Tests.Security;

/// <summary>
/// Networks and ports per tenant: <c>Dispatch:Http:AllowedNetworks</c> and <c>AllowedPorts</c> are the operator's default,
/// <c>Dispatch:Http:Tenants:&lt;tenant&gt;:…</c> a tenant's own. On main there was one allowlist for every tenant: a
/// tenant granted 10.1.0.0/16 for its in-house API gave every tenant the same network.
/// </summary>
public sealed class NetworkPoliciesTests
{
    private static readonly NetworkOptions Options = new()
    {
        AllowedNetworks = ["192.168.10.0/24"],
        AllowedPorts = ["8443"],
        Tenants = new()
        {
            ["acme"] = new TenantNetworkOptions { AllowedNetworks = ["10.1.0.0/16"], AllowedPorts = ["9000-9099"] },
            ["globex"] = new TenantNetworkOptions { AllowedNetworks = ["10.2.0.0/16"] },
            ["initech"] = new TenantNetworkOptions { AllowedNetworks = ["none"] },
            ["umbrella"] = new TenantNetworkOptions { AllowedNetworks = ["10.1.0.0/16"], AllowedPorts = ["9000-9099"] },
        },
    };

    [Theory]
    [InlineData("acme", "10.1.2.3", true)]
    [InlineData("acme", "10.2.2.3", false)]
    [InlineData("acme", "192.168.10.5", false)]
    [InlineData("globex", "10.2.2.3", true)]
    [InlineData("globex", "10.1.2.3", false)]
    [InlineData("initech", "192.168.10.5", false)]
    [InlineData("initech", "10.1.2.3", false)]
    [InlineData("other", "192.168.10.5", true)]
    [InlineData("other", "10.1.2.3", false)]
    public void For_Tenant_ReachesOnlyTheNetworksGrantedToIt(string tenant, string address, bool allowed) =>
        Assert.Equal(allowed, new NetworkPolicies(Options).For(tenant).Refusal(IPAddress.Parse(address)) is null);

    [Theory]
    [InlineData("acme", 9050, true)]
    [InlineData("acme", 8443, false)]
    [InlineData("globex", 8443, true)]
    [InlineData("globex", 9050, false)]
    [InlineData("other", 8443, true)]
    [InlineData("other", 443, true)]
    public void For_Tenant_OwnPortsReplaceTheDefaultOnes_AListNotGivenFallsBack(string tenant, int port, bool allowed) =>
        Assert.Equal(allowed, new NetworkPolicies(Options).For(tenant).PortRefusal(port) is null);

    [Fact]
    public void For_TenantsWithTheSameLists_ShareOnePolicy_OthersHaveTheirOwn()
    {
        var policies = new NetworkPolicies(Options);

        Assert.Same(policies.For("acme"), policies.For("umbrella"));
        Assert.Same(policies.Default, policies.For("nobody"));
        Assert.NotSame(policies.For("acme"), policies.For("globex"));
        Assert.Equal(4, policies.All.Count);
    }

    [Fact]
    public void Bind_TenantKeyShape_FromConfiguration()
    {
        using var provider = Services(new Dictionary<string, string?>
        {
            ["Dispatch:Http:AllowedNetworks:0"] = "127.0.0.0/8",
            ["Dispatch:Http:Tenants:acme:AllowedNetworks:0"] = "10.1.0.0/16",
            ["Dispatch:Http:Tenants:acme:AllowedPorts:0"] = "8443",
        });

        var policies = provider.GetRequiredService<NetworkPolicies>();

        Assert.Null(policies.For("acme").Refusal(IPAddress.Parse("10.1.0.9")));
        Assert.NotNull(policies.For("acme").Refusal(IPAddress.Parse("127.0.0.1")));
        Assert.Null(policies.For("acme").PortRefusal(8443));
        Assert.Null(policies.For("globex").Refusal(IPAddress.Parse("127.0.0.1")));
        Assert.NotNull(policies.For("globex").PortRefusal(8443));
    }

    [Theory]
    [InlineData("Dispatch:Http:AllowedPorts:0", "http", "Dispatch:Http:AllowedPorts must hold ports")]
    [InlineData("Dispatch:Http:AllowedNetworks:0", "intranet", "Dispatch:Http:AllowedNetworks must hold CIDR blocks")]
    [InlineData("Dispatch:Http:Tenants:acme:AllowedNetworks:0", "10.1.0.0/40", "Dispatch:Http:Tenants:acme:AllowedNetworks must hold CIDR blocks")]
    [InlineData("Dispatch:Http:Tenants:acme:AllowedPorts:0", "70000", "Dispatch:Http:Tenants:acme:AllowedPorts must hold ports")]
    public void Bind_InvalidList_FailsNamingTheKey(string key, string value, string message)
    {
        using var provider = Services(new Dictionary<string, string?> { [key] = value });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<NetworkOptions>>().Value);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings) =>
        new ServiceCollection().AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .AddLogging().AddAstraDispatch().Services.BuildServiceProvider();
}
