using System.Text.Json;
using Astra.Dispatch.Templating;
using Astra.Dispatch.Tests.Support;

namespace Astra.Dispatch.Tests.Templating;

public sealed class JsonFilterTests
{
    private static async Task<JsonElement> RenderAsync(string expression, object data)
    {
        Assert.True(LiquidEngine.TryParse("{{ " + expression + " | json }}", out var template, out var error), error);
        var text = await LiquidEngine.RenderAsync(template!, new LiquidEngine().CreateContext(Some.Model(data)));
        // Must always be exactly one valid JSON value.
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Theory]
    [InlineData("say \"hi\"")]
    [InlineData("line1\nline2\r\nline3\ttab")]
    [InlineData("back\\slash and / slash")]
    [InlineData("unicode: Ünïcødé 日本語 🚀 \u2028 \u2029")]
    [InlineData("control \u0001 \u001f")]
    [InlineData("</script><script>alert(1)</script>")]
    [InlineData("")]
    [InlineData("{{ not a template }}")]
    public async Task Json_String_RoundTrips(string value)
    {
        var result = await RenderAsync("data.v", new { v = value });
        Assert.Equal(JsonValueKind.String, result.ValueKind);
        Assert.Equal(value, result.GetString());
    }

    [Theory]
    [InlineData("42", 42.0)]
    [InlineData("-7", -7.0)]
    [InlineData("3.25", 3.25)]
    [InlineData("12345678901234", 12345678901234.0)]
    [InlineData("1e3", 1000.0)]
    public async Task Json_Number_StaysNumber(string number, double expected)
    {
        var result = await RenderAsync("data.v", JsonDocument.Parse($$"""{"v":{{number}}}""").RootElement);
        Assert.Equal(JsonValueKind.Number, result.ValueKind);
        Assert.Equal(expected, result.GetDouble());
    }

    [Fact]
    public async Task Json_Object_SerializesRecursively()
    {
        var result = await RenderAsync("data", new { name = "Ada \"L\"", nested = new { list = new object?[] { 1, "two", null, true } } });
        Assert.Equal("Ada \"L\"", result.GetProperty("name").GetString());
        var list = result.GetProperty("nested").GetProperty("list");
        Assert.Equal(4, list.GetArrayLength());
        Assert.Equal(1, list[0].GetInt32());
        Assert.Equal("two", list[1].GetString());
        Assert.Equal(JsonValueKind.Null, list[2].ValueKind);
        Assert.True(list[3].GetBoolean());
    }

    [Fact]
    public async Task Json_Array_SerializesItems()
    {
        var result = await RenderAsync("data.tags", new { tags = new[] { "a\"b", "c\nd" } });
        Assert.Equal(["a\"b", "c\nd"], result.EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Json_Null_EmitsNull() =>
        Assert.Equal(JsonValueKind.Null, (await RenderAsync("data.v", JsonDocument.Parse("""{"v":null}""").RootElement)).ValueKind);

    [Fact]
    public async Task Json_MissingField_EmitsNull() =>
        Assert.Equal(JsonValueKind.Null, (await RenderAsync("data.nothing.here", new { })).ValueKind);

    [Fact]
    public async Task Json_Nil_EmitsNull() =>
        Assert.Equal(JsonValueKind.Null, (await RenderAsync("nil", new { })).ValueKind);

    [Fact]
    public async Task Json_Booleans_StayBooleans()
    {
        Assert.Equal(JsonValueKind.True, (await RenderAsync("data.t", new { t = true })).ValueKind);
        Assert.Equal(JsonValueKind.False, (await RenderAsync("data.f", new { f = false })).ValueKind);
    }

    [Fact]
    public async Task Json_EmptyObjectAndArray_StayEmpty()
    {
        Assert.Equal("{}", (await RenderAsync("data.o", new { o = new { } })).GetRawText());
        Assert.Equal("[]", (await RenderAsync("data.a", new { a = Array.Empty<int>() })).GetRawText());
    }
}
