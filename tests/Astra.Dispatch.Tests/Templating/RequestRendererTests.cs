using System.Text.Json;
using Astra.Dispatch.Catalog;
using Astra.Dispatch.Templating;
using Astra.Dispatch.Tests.Support;

namespace Astra.Dispatch.Tests.Templating;

public sealed class RequestRendererTests
{
    private static CompiledRule RuleWithRequest(string requestYaml) => Some.Rule($$"""
        id: r1
        tenantId: acme
        trigger: { events: [lead.captured] }
        request:
        {{requestYaml}}
        """);

    [Fact]
    public async Task RenderAsync_DataInPathAndQuery_IsUrlEncoded()
    {
        var rule = Some.PostRule(url: "https://api.example.com/users/{{ data.id }}/notes?q={{ data.q }}");
        var request = await Some.RenderAsync(rule, Some.Event(new { id = "../../admin?x=1#frag", q = "a&b=c d/é" }));
        var uri = new Uri(request.Url);
        Assert.Equal("api.example.com", uri.Host);
        Assert.Equal("/users/..%2F..%2Fadmin%3Fx%3D1%23frag/notes", uri.AbsolutePath);
        Assert.Equal("?q=a%26b%3Dc%20d%2F%C3%A9", uri.Query);
    }

    [Fact]
    public async Task RenderAsync_DataAfterFixedHost_CannotChangeHost()
    {
        var rule = Some.PostRule(url: "https://api.example.com/{{ data.path }}");
        var request = await Some.RenderAsync(rule, Some.Event(new { path = "@evil.example.org:443/x" }));
        var uri = new Uri(request.Url);
        Assert.Equal("api.example.com", uri.Host);
        Assert.Equal(443, uri.Port);
        Assert.Equal("/@evil.example.org%3A443%2Fx", uri.AbsolutePath);
    }

    [Fact]
    public async Task RenderAsync_QueryParameters_AreEncoded()
    {
        var rule = RuleWithRequest("""
              url: https://api.example.com/find
              query: { email: "{{ data.email }}" }
            """);
        var request = await Some.RenderAsync(rule, Some.Event(new { email = "a+b@x.io&admin=1" }));
        Assert.Equal("https://api.example.com/find?email=a%2Bb%40x.io%26admin%3D1", request.Url);
    }

    [Fact]
    public async Task RenderAsync_NoBodyTemplate_SendsTheEvent()
    {
        var e = Some.Event(new { name = "Ada", score = 87 });
        var request = await Some.RenderAsync(Some.PostRule(), e);
        using var body = JsonDocument.Parse(request.Body!);
        Assert.Equal("evt_1", body.RootElement.GetProperty("eventId").GetString());
        Assert.Equal("lead.captured", body.RootElement.GetProperty("type").GetString());
        Assert.Equal(87, body.RootElement.GetProperty("data").GetProperty("score").GetInt32());
        Assert.Equal("application/json", request.ContentType);
    }

    [Fact]
    public async Task RenderAsync_FormUrlEncoded_IsAllowedAndNotJsonChecked()
    {
        var rule = Some.Rule("""
            id: form
            tenantId: acme
            trigger: { events: [form.submitted] }
            request:
              url: https://legacy.example.com/form
              contentType: application/x-www-form-urlencoded
              body: "name={{ data.name | url_encode }}&email={{ data.email | url_encode }}"
            """);
        var request = await Some.RenderAsync(rule, Some.Event(new { name = "Ada & Co", email = "a@b.c" }, "form.submitted"));
        Assert.Equal("application/x-www-form-urlencoded", request.ContentType);
        Assert.Equal("name=Ada%20%26%20Co&email=a%40b.c", request.Body);
    }

    [Fact]
    public async Task RenderAsync_InvalidJsonBody_NamesRuleFieldAndPosition()
    {
        var rule = Some.PostRule(body: "{ \"name\": {{ data.name }} }");
        var ex = await Assert.ThrowsAsync<RenderException>(async () => await Some.RenderAsync(rule, Some.Event(new { name = "Ada" })));
        Assert.Equal("r1", ex.RuleId);
        Assert.Equal("request.body", ex.Field);
        Assert.Contains("rule r1: request.body:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("line 1, byte 11", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenderAsync_InvalidJsonBody_DoesNotEchoTheData()
    {
        const string Phone = "+49 170 5550123";
        var rule = Some.PostRule(body: "{ \"phone\": {{ data.phone }} }");
        var ex = await Assert.ThrowsAsync<RenderException>(async () => await Some.RenderAsync(rule, Some.Event(new { phone = Phone })));
        Assert.DoesNotContain(Phone, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("evil\r\nX-Injected: 1")]
    [InlineData("evil\nX-Injected: 1")]
    [InlineData("nul\0byte")]
    public async Task RenderAsync_HeaderWithCrLf_IsRefused(string value)
    {
        var rule = RuleWithRequest("""
              url: https://api.example.com/x
              headers: { X-Name: "{{ data.v }}" }
            """);
        var ex = await Assert.ThrowsAsync<RenderException>(async () => await Some.RenderAsync(rule, Some.Event(new { v = value })));
        Assert.Equal("request.headers.X-Name", ex.Field);
    }

    [Fact]
    public async Task RenderAsync_HugeLoop_HitsTheOutputLimit()
    {
        var rule = Some.PostRule(body: "{% for i in (1..5000) %}{% for j in (1..100) %}xxxxxxxxxxxxxxxxxxxxxx{% endfor %}{% endfor %}");
        var ex = await Assert.ThrowsAsync<RenderException>(async () => await Some.RenderAsync(rule, Some.Event()));
        Assert.Equal("request.body", ex.Field);
        Assert.Contains("Dispatch:Http:MaxRequestBodyBytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenderAsync_PlainHttpNotAllowed_IsRefused()
    {
        var rule = Some.Rule("""
            id: plain
            tenantId: acme
            trigger: { events: [a] }
            request: { url: "http://api.example.com/{{ data.x }}" }
            """, allowPlainHttp: true);
        var ex = await Assert.ThrowsAsync<RenderException>(async () => await Some.RenderAsync(rule, Some.Event(new { x = 1 }), allowPlainHttp: false));
        Assert.Equal("request.url", ex.Field);
    }
}
