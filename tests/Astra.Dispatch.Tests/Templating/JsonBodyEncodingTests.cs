using System.Text.Json;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Templating;
using Astra.Dispatch.Tests.Support;

namespace Astra.Dispatch.Tests.Templating;

/// <summary>In a JSON body, event data can never add a key or close a string, whatever the template's quoting.</summary>
public sealed class JsonBodyEncodingTests
{
    public static TheoryData<string> Hostile => new()
    {
        "Ada\", \"admin\": true, \"x\": \"",
        "\"",
        "\\",
        "\\\"",
        "a\\\", \"admin\": true}",
        "}, {\"admin\": true",
        "\"], \"admin\": [\"",
        "line\nbreak\r\ttab\u0000nul\u001fus",
        "Ünïcødé 日本語 🚀 \u2028 \u2029",
        "</script><script>alert(1)</script>",
        "{{ data.secret }}",
        "1, \"admin\": 2",
    };

    private static async Task<JsonElement> BodyAsync(string body, object data)
    {
        var request = await Some.RenderAsync(Some.JsonBodyRule(body), Some.Event(data));
        return JsonDocument.Parse(request.Body!).RootElement.Clone();
    }

    private static void OnlyKeys(JsonElement root, params string[] keys) =>
        Assert.Equal(keys, root.EnumerateObject().Select(p => p.Name));

    /// <summary>On main (NullEncoder) a crafted name added keys to <c>"name": "{{ data.name }}"</c>.</summary>
    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task RenderAsync_QuotedData_StaysOneStringWithTheSameText(string value)
    {
        var root = await BodyAsync("{ \"name\": \"{{ data.name }}\", \"fixed\": 1 }", new { name = value });

        OnlyKeys(root, "name", "fixed");
        Assert.Equal(value, root.GetProperty("name").GetString());
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task RenderAsync_JsonFilter_StaysOneValueWithTheSameText(string value)
    {
        var root = await BodyAsync("{ \"name\": {{ data.name | json }} }", new { name = value });

        OnlyKeys(root, "name");
        Assert.Equal(value, root.GetProperty("name").GetString());
    }

    /// <summary>Unquoted, data can be a scalar at most: anything that would add structure makes the body invalid JSON.</summary>
    [Theory]
    [InlineData("1, \"admin\": true")]
    [InlineData("{\"admin\": true}")]
    [InlineData("[1, 2]")]
    [InlineData("\"quoted\"")]
    public async Task RenderAsync_UnquotedStructure_IsInvalidJsonNotNewKeys(string value)
    {
        var ex = await Assert.ThrowsAsync<RenderException>(async () => await Some.RenderAsync(Some.JsonBodyRule("{ \"n\": {{ data.n }} }"), Some.Event(new { n = value })));

        Assert.Equal("request.body", ex.Field);
        Assert.Contains("not valid JSON", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenderAsync_UnquotedListItems_CannotAddElements()
    {
        var ex = await Assert.ThrowsAsync<RenderException>(async () => await Some.RenderAsync(Some.JsonBodyRule("[{{ data.n }}]"), Some.Event(new { n = "1, 2, 3" })));
        Assert.Contains("not valid JSON", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenderAsync_UnquotedScalars_StayScalars()
    {
        var root = await BodyAsync("{ \"score\": {{ data.score }}, \"ratio\": {{ data.ratio }}, \"vip\": {{ data.vip }}, \"none\": {{ data.missing | default: 'null' }} }",
            new { score = -87, ratio = 0.25m, vip = true });

        Assert.Equal(-87, root.GetProperty("score").GetInt32());
        Assert.Equal(0.25m, root.GetProperty("ratio").GetDecimal());
        Assert.True(root.GetProperty("vip").GetBoolean());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("none").ValueKind);
    }

    /// <summary>Fluid writes these without its encoder: raw and escape mark their output unencoded, string filters keep that
    /// mark when they add data to it (a capture is unencoded), and array items are written one by one.</summary>
    [Theory]
    [InlineData("\"{{ data.name | raw }}\"")]
    [InlineData("\"{{ data.name | escape }}\"")]
    [InlineData("\"{{ data.name | escape_once }}\"")]
    [InlineData("\"{{ data.name | raw | upcase }}\"")]
    [InlineData("\"{{ data.list }}\"")]
    [InlineData("\"{{ data.list | raw }}\"")]
    [InlineData("\"{% echo data.name | raw %}\"")]
    [InlineData("{% capture c %}q{% endcapture %}\"{{ c | append: data.name }}\"")]
    [InlineData("{% capture c %}q{% endcapture %}\"{{ data.name | prepend: c }}\"")]
    [InlineData("{% capture c %}q{% endcapture %}\"{{ c | replace: 'q', data.name }}\"")]
    [InlineData("{% assign a = data.name | split: ',' %}\"{{ a }}\"")]
    [InlineData("{% assign j = data.name | json %}\"{{ j | remove_first: '\"' }}\"")]
    [InlineData("\"{% for x in data.list %}{{ x | raw }}{% endfor %}\"")]
    [InlineData("{% capture c %}{{ data.name | raw }}{% endcapture %}\"{{ c }}\"")]
    public async Task RenderAsync_UnencodedOutputsOfFluid_AreEncodedToo(string value)
    {
        const string Name = "x\", \"admin\": true, \"y\": \"";
        var root = await BodyAsync("{ \"v\": " + value + " }", new { name = Name, list = new[] { Name, "\\" } });

        OnlyKeys(root, "v");
        Assert.Contains("admin", root.GetProperty("v").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task RenderAsync_Capture_WritesItsTextOnceEncoded()
    {
        var root = await BodyAsync("{% capture n %}{{ data.first }} {{ data.last }}{% endcapture %}{ \"name\": \"{{ n }}\" }",
            new { first = "Ada \"The\"", last = "Lovelace\\" });

        Assert.Equal("Ada \"The\" Lovelace\\", root.GetProperty("name").GetString());
    }

    [Fact]
    public async Task RenderAsync_CaptureOfJsonBuiltByTheTemplate_StaysJson()
    {
        var root = await BodyAsync("{% capture customer %}{ \"email\": {{ data.email | json }} }{% endcapture %}{ \"customer\": {{ customer }} }",
            new { email = "a\"@b.c" });

        Assert.Equal("a\"@b.c", root.GetProperty("customer").GetProperty("email").GetString());
    }

    [Fact]
    public async Task RenderAsync_JsonOfAnObject_IsOneValue()
    {
        var root = await BodyAsync("{ \"data\": {{ data | json }} }", new { a = "x\"", b = new[] { 1, 2 } });

        OnlyKeys(root, "data");
        Assert.Equal("x\"", root.GetProperty("data").GetProperty("a").GetString());
    }

    [Fact]
    public async Task RenderAsync_LoneSurrogateInData_StaysValidJson()
    {
        var model = new Dictionary<string, object?> { ["data"] = new Dictionary<string, object?> { ["name"] = "a\ud800\", \"admin\": 1, \"b" } };
        var request = await new RequestRenderer(new LiquidEngine(), Some.Http())
            .RenderAsync(Some.JsonBodyRule("{ \"name\": \"{{ data.name }}\" }"), model, new Lazy<string>(() => "{}"));

        OnlyKeys(JsonDocument.Parse(request.Body!).RootElement, "name");
    }

    [Fact]
    public async Task RenderAsync_TextPlainBody_IsNotEncoded()
    {
        var rule = Some.Compile(Some.Definition(body: "Hello {{ data.name }}", contentType: "text/plain"));

        var request = await Some.RenderAsync(rule, Some.Event(new { name = "\"Ada\" {x}" }));

        Assert.Equal("Hello \"Ada\" {x}", request.Body);
    }

    [Fact]
    public void Encoder_StructuralCharacters_AreEscapedAndTheRestKept() =>
        Assert.Equal("\\u0022\\u005C\\u007B\\u007D\\u005B\\u005D\\u002C\\u003A\\u000A é🚀<>&'/",
            JsonBodyEncoder.Instance.Encode("\"\\{}[],:\n é🚀<>&'/"));
}
