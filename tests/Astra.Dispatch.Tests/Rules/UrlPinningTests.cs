using Astra.Dispatch.Catalog;
using Astra.Dispatch.Security;
using Astra.Dispatch.Templating;
using Astra.Dispatch.Tests.Support;

namespace Astra.Dispatch.Tests.Rules;

/// <summary>The scheme, host and port of a request URL are literal text in the rule; templates fill the path and query only.</summary>
public sealed class UrlPinningTests
{
    /// <summary>On main the first three validated, and event data then chose the host (and the rule's credentials followed it).</summary>
    [Theory]
    [InlineData("https://{{ data.host }}/api")]
    [InlineData("https://api.example.com{{ data.path }}")]
    [InlineData("https://api.example.com:{{ data.port }}/")]
    [InlineData("https://api.{{ data.zone }}.example.com/x")]
    [InlineData("https://{% if data.x %}a{% else %}b{% endif %}.example.com/")]
    [InlineData("https://api.example.com.{{ data.x }}/")]
    [InlineData("https://api.example.com\\{{ data.x }}")]
    [InlineData("https:{{ data.x }}")]
    [InlineData("{{ data.url }}")]
    public void Compile_TemplateInSchemeHostOrPort_UrlError(string url)
    {
        var error = Assert.Single(Some.Errors(Some.Definition(url: url)));

        Assert.Equal("request.url", error.Path);
        Assert.Contains("template", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://user:pw@api.example.com/{{ data.x }}", "credentials")]
    [InlineData("https://api.example.com:99999/{{ data.x }}", "port")]
    [InlineData("https://api_example.com/", "host")]
    [InlineData("https:///x", "host")]
    public void Compile_BadLiteralAuthority_UrlError(string url, string fragment)
    {
        var error = Assert.Single(Some.Errors(Some.Definition(url: url)));

        Assert.Equal("request.url", error.Path);
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://api.example.com/{{ data.x }}", "https://api.example.com/")]
    [InlineData("https://api.example.com?q={{ data.x }}", "https://api.example.com/")]
    [InlineData("https://api.example.com#{{ data.x }}", "https://api.example.com/")]
    [InlineData("https://API.Example.com:8443/v1/{{ data.x }}", "https://api.example.com:8443/")]
    [InlineData("https://[::1]:8443/{{ data.x }}", "https://[::1]:8443/")]
    [InlineData("https://api.example.com", "https://api.example.com/")]
    public void Compile_LiteralOrigin_ExposedOnTheRule(string url, string origin) =>
        Assert.Equal(new Uri(origin), Some.Compile(Some.Definition(url: url), new RuleLimits { Networks = new(new NetworkOptions { AllowedPorts = ["8443"] }) }).Origin);

    /// <summary>Defence in depth: a rendered URL whose origin differs from the pinned one is refused at render time.</summary>
    [Fact]
    public async Task RenderAsync_RenderedOriginDiffersFromPinned_RenderException()
    {
        var rule = Some.Compile(Some.Definition(url: "https://api.example.com/{{ data.x }}"));
        var tampered = new CompiledRule
        {
            Definition = rule.Definition, Version = rule.Version, Enabled = true, Events = rule.Events, Method = rule.Method, Url = rule.Url,
            Origin = new Uri("https://other.example.com/"), Headers = rule.Headers, Query = rule.Query, Body = rule.Body, ContentType = rule.ContentType,
        };

        var ex = await Assert.ThrowsAsync<RenderException>(async () => await Some.RenderAsync(tampered, Some.Event(new { x = "y" })));

        Assert.Equal("request.url", ex.Field);
        Assert.Contains("origin", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>On main our json filter's output skipped the URL encoder: quotes, spaces and &amp; went into the query as they were.</summary>
    [Fact]
    public async Task RenderAsync_JsonFilterInUrl_IsUrlEncoded()
    {
        var rule = Some.Compile(Some.Definition(url: "https://api.example.com/find?q={{ data.q | json }}"));

        var request = await Some.RenderAsync(rule, Some.Event(new { q = "a b&admin=1" }));

        Assert.Equal("https://api.example.com/find?q=%22a%20b%26admin%3D1%22", request.Url);
    }

    [Fact]
    public async Task RenderAsync_UrlEncodeFilterInUrl_IsNotEncodedTwice()
    {
        var rule = Some.Compile(Some.Definition(url: "https://api.example.com/users/{{ data.id | url_encode }}"));

        var request = await Some.RenderAsync(rule, Some.Event(new { id = "a/b c" }));

        Assert.Equal("https://api.example.com/users/a%2Fb%20c", request.Url);
    }

    [Fact]
    public async Task RenderAsync_ArrayInUrl_ItemsAreEncoded()
    {
        var rule = Some.Compile(Some.Definition(url: "https://api.example.com/x?tags={{ data.tags }}"));

        var request = await Some.RenderAsync(rule, Some.Event(new { tags = new[] { "a&admin=1", "#b" } }));

        Assert.Equal("https://api.example.com/x?tags=a%26admin%3D1%23b", request.Url);
    }
}
