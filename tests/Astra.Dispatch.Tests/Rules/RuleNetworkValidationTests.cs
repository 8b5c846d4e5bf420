using Astra.Dispatch.Catalog;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Security;
using Astra.Dispatch.Tests.Support;

namespace Astra.Dispatch.Tests.Rules;

/// <summary>What a rule may not say about the connection: a port outside its tenant's list, an http:// token URL.</summary>
public sealed class RuleNetworkValidationTests
{
    private static readonly RuleLimits Limits = new()
    {
        Networks = new NetworkPolicies(new NetworkOptions
        {
            AllowedPorts = ["8443"],
            Tenants = new() { ["globex"] = new TenantNetworkOptions { AllowedPorts = ["9000-9099"] } },
        }),
    };

    /// <summary>On main every port compiled: a rule could point its credentials at port 6379 or 22 of an allowed network.</summary>
    [Theory]
    [InlineData("acme", "https://api.example.com:6379/x", false)]
    [InlineData("acme", "https://api.example.com:22/", false)]
    [InlineData("acme", "https://api.example.com:8443/x", true)]
    [InlineData("acme", "https://api.example.com/x", true)]
    [InlineData("acme", "https://api.example.com:443/x", true)]
    [InlineData("globex", "https://api.example.com:8443/x", false)]
    [InlineData("globex", "https://api.example.com:9001/x", true)]
    public void Compile_LiteralPort_CheckedAgainstTheTenantsPorts(string tenant, string url, bool valid)
    {
        var errors = Some.Errors(Some.Definition(url: url) with { TenantId = tenant }, Limits);

        if (valid)
        {
            Assert.Empty(errors);
            return;
        }
        var error = Assert.Single(errors);
        Assert.Equal("request.url", error.Path);
        Assert.Contains($"port {new Uri(url).Port} is not allowed", error.Message, StringComparison.Ordinal);
        Assert.Contains("Dispatch:Http:AllowedPorts", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void Compile_Port80_OnlyWherePlainHttpIsAllowed(bool allowPlainHttp, bool valid) =>
        Assert.Equal(valid, Some.Errors(Some.Definition(url: "https://api.example.com:80/x"), new RuleLimits { AllowPlainHttp = allowPlainHttp }).Count == 0);

    /// <summary>On main <c>http://</c> token URLs compiled with plain HTTP off, and the client secret then went out in clear text.</summary>
    [Theory]
    [InlineData("http://login.example.com/token", false, "plain http://")]
    [InlineData("https://login.example.com:6379/token", false, "port 6379 is not allowed")]
    [InlineData("https://user:pw@login.example.com/token", false, "credentials")]
    [InlineData("ftp://login.example.com/token", false, "absolute https://")]
    [InlineData("https://login.example.com/token", true, null)]
    public void Compile_OAuth2TokenUrl_HttpsOnAnAllowedPort(string tokenUrl, bool valid, string? fragment)
    {
        var rule = Some.Definition() with { Auth = new AuthDefinition { Type = "oauth2", TokenUrl = tokenUrl, ClientId = "astra", Secret = "S" } };

        var errors = Some.Errors(rule);

        if (valid)
        {
            Assert.Empty(errors);
            return;
        }
        var error = Assert.Single(errors);
        Assert.Equal("auth.tokenUrl", error.Path);
        Assert.Contains(fragment!, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_OAuth2HttpTokenUrl_AcceptedWherePlainHttpIsAllowed()
    {
        var rule = Some.Definition() with { Auth = new AuthDefinition { Type = "oauth2", TokenUrl = "http://login.example.com/token", ClientId = "astra", Secret = "S" } };

        Assert.Empty(Some.Errors(rule, new RuleLimits { AllowPlainHttp = true }));
    }
}
