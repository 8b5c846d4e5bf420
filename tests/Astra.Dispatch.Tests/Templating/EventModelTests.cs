using System.Text.Json;
using Astra.Dispatch.Tests.Support;

namespace Astra.Dispatch.Tests.Templating;

public sealed class EventModelTests
{
    /// <summary>On main GetDecimal threw FormatException for these valid JSON numbers, failing the whole event in the consumer.</summary>
    [Theory]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    [InlineData("123456789012345678901234567890")]
    public async Task From_NumberBeyondDecimal_KeptAsItsTextAndRenders(string number)
    {
        var e = Some.Event(JsonDocument.Parse($$"""{"x": {{number}}}""").RootElement);

        var request = await Some.RenderAsync(Some.JsonBodyRule("{ \"raw\": {{ data.x }}, \"json\": {{ data.x | json }} }"), e);

        using var body = JsonDocument.Parse(request.Body!);
        Assert.Equal(number, body.RootElement.GetProperty("raw").GetRawText());
        Assert.Equal(number, body.RootElement.GetProperty("json").GetString());
    }

    [Fact]
    public void From_OrdinaryNumbers_StayNumbers()
    {
        var data = (Dictionary<string, object?>)Some.Model(JsonDocument.Parse("""{"i": 42, "d": 1.5, "tiny": 1e-400}""").RootElement)["data"]!;

        Assert.Equal(42L, data["i"]);
        Assert.Equal(1.5m, data["d"]);
        Assert.Equal(0m, data["tiny"]);
    }
}
