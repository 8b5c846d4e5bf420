using Astra.Dispatch.Rules;
using Astra.Dispatch.Tests.Support;

namespace Astra.Dispatch.Tests.Rules;

/// <summary>The headers that frame the message or steer the connection are the HTTP stack's, never a rule's.</summary>
public sealed class RuleHeaderValidationTests
{
    /// <summary>On main these compiled, and <c>Host</c> or <c>Transfer-Encoding</c> went onto the wire as the rule said.</summary>
    [Theory]
    [InlineData("Host")]
    [InlineData("host")]
    [InlineData("Content-Length")]
    [InlineData("Transfer-Encoding")]
    [InlineData("Connection")]
    [InlineData("Upgrade")]
    [InlineData("TE")]
    [InlineData("Trailer")]
    [InlineData("Keep-Alive")]
    [InlineData("Proxy-Authorization")]
    [InlineData("Proxy-Connection")]
    public void Compile_ConnectionLevelHeader_ImportError(string name)
    {
        var error = Assert.Single(Some.Errors(Some.Definition(headers: new() { [name] = "x" })));

        Assert.Equal($"request.headers.{name}", error.Path);
        Assert.Contains("may not be set by a rule", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_HeaderAuthNamingHost_ImportError()
    {
        var rule = Some.Definition() with { Auth = new AuthDefinition { Type = "header", Name = "Host", Secret = "S" } };

        var error = Assert.Single(Some.Errors(rule));

        Assert.Equal("auth.name", error.Path);
    }

    [Fact]
    public void Compile_OrdinaryHeaders_Accepted() =>
        Assert.Empty(Some.Errors(Some.Definition(headers: new() { ["X-Source"] = "astra", ["Accept"] = "application/json", ["Content-Language"] = "en" })));
}
