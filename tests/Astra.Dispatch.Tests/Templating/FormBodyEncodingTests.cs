using System.Web;
using Astra.Dispatch.Tests.Support;

namespace Astra.Dispatch.Tests.Templating;

/// <summary>In a form body, event data can never add a field.</summary>
public sealed class FormBodyEncodingTests
{
    private static async Task<System.Collections.Specialized.NameValueCollection> FormAsync(string body, object data)
    {
        var rule = Some.Compile(Some.Definition(body: body, contentType: "application/x-www-form-urlencoded"));
        var request = await Some.RenderAsync(rule, Some.Event(data));
        return HttpUtility.ParseQueryString(request.Body!);
    }

    /// <summary>On main (NullEncoder) a name of <c>a&amp;admin=1</c> added the field admin.</summary>
    [Theory]
    [InlineData("a&admin=1")]
    [InlineData("a=b")]
    [InlineData("100% + more")]
    [InlineData("é日本 🚀\r\n")]
    [InlineData("%26admin%3D1")]
    public async Task RenderAsync_DataWithSeparators_StaysOneValue(string value)
    {
        var form = await FormAsync("name={{ data.name }}&source=astra", new { name = value });

        Assert.Equal("name,source", string.Join(",", form.AllKeys));
        Assert.Equal(value, form["name"]);
    }

    [Fact]
    public async Task RenderAsync_UrlEncodeFilter_IsNotEncodedTwice()
    {
        var form = await FormAsync("name={{ data.name | url_encode }}", new { name = "Ada & Co" });

        Assert.Equal("Ada & Co", form["name"]);
    }

    [Fact]
    public async Task RenderAsync_JsonFilterInAForm_IsEncoded()
    {
        var form = await FormAsync("payload={{ data | json }}", new { a = "x&y=1" });

        Assert.Equal("payload", string.Join(",", form.AllKeys));
        Assert.Equal("{\"a\":\"x&y=1\"}", form["payload"]);
    }
}
