using Astra.Dispatch.Tenancy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Tests.Tenancy;

/// <summary>
/// <c>Dispatch:Tenancy:Publishers</c>. On main there was no binding: any broker user could publish an event for any
/// tenant, and the worker neither read nor checked the publisher.
/// </summary>
public sealed class PublisherBindingTests
{
    private static PublisherBinding Binding(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddOptions<TenancyOptions>().BindConfiguration(TenancyOptions.Section);
        return new PublisherBinding(services.BuildServiceProvider().GetRequiredService<IOptions<TenancyOptions>>());
    }

    private static readonly PublisherBinding Configured = Binding(
        ("Dispatch:Tenancy:Publishers:agent-runtime-acme:0", "acme"),
        ("Dispatch:Tenancy:Publishers:agent-runtime-eu:0", "acme-eu"),
        ("Dispatch:Tenancy:Publishers:agent-runtime-eu:1", "globex-eu"),
        ("Dispatch:Tenancy:Publishers:platform:0", "*"));

    [Fact]
    public void Refusal_Unconfigured_EveryEventPasses()
    {
        var binding = Binding();

        Assert.False(binding.IsConfigured);
        Assert.Null(binding.Refusal("acme", null));
        Assert.Null(binding.Refusal("acme", "anyone"));
    }

    [Theory]
    [InlineData("acme", "agent-runtime-acme")]
    [InlineData("acme-eu", "agent-runtime-eu")]
    [InlineData("globex-eu", "agent-runtime-eu")]
    [InlineData("acme", "platform")]
    [InlineData("globex", "platform")]
    public void Refusal_PublisherBoundToTheTenant_Passes(string tenant, string user) => Assert.Null(Configured.Refusal(tenant, user));

    [Fact]
    public void Refusal_PublisherClaimingAnotherTenant_RefusedNamingBoth() =>
        Assert.Equal("publisher \"agent-runtime-acme\" may not publish for tenant 'globex' (Dispatch:Tenancy:Publishers)",
            Configured.Refusal("globex", "agent-runtime-acme"));

    [Fact]
    public void Refusal_NoUserId_Refused() =>
        Assert.StartsWith("the event has no user_id property", Configured.Refusal("acme", null), StringComparison.Ordinal);

    [Theory]
    [InlineData("guest")]
    [InlineData("Agent-Runtime-Acme")]
    [InlineData("agent-runtime-acme ")]
    public void Refusal_UserNotListed_Refused(string user) =>
        Assert.EndsWith("is not bound to any tenant (Dispatch:Tenancy:Publishers)", Configured.Refusal("acme", user), StringComparison.Ordinal);

    [Fact]
    public void Refusal_UserWithControlCharacters_QuotedNotEchoed()
    {
        var reason = Configured.Refusal("acme", "x\nINFO forged")!;

        Assert.DoesNotContain('\n', reason);
        Assert.Contains("\"x\\nINFO forged\"", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Acme")]
    [InlineData("acme/x")]
    [InlineData("")]
    public void Validate_TenantThatIsNoTenantId_Invalid(string tenant)
    {
        var options = new TenancyOptions { Publishers = { ["agent-runtime-acme"] = [tenant] } };

        Assert.Contains("Dispatch:Tenancy:Publishers:agent-runtime-acme", options.Validate(), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TenantsAndStar_Valid() =>
        Assert.Null(new TenancyOptions { Publishers = { ["a"] = ["acme", "globex-eu"], ["platform"] = ["*"] } }.Validate());
}
