using Astra.Dispatch.Templating;
using Astra.Dispatch.Tests.Support;

namespace Astra.Dispatch.Tests.Templating;

public sealed class ConditionTests
{
    private static async Task<bool> EvaluateAsync(string condition, object data)
    {
        Assert.True(LiquidEngine.TryParseCondition(condition, out var template, out var error), error);
        return await LiquidEngine.EvaluateAsync(template!, new LiquidEngine().CreateContext(Some.Model(data)));
    }

    public static TheoryData<string, string, bool> Table => new()
    {
        { "data.score >= 50 and data.email != blank", """{"score":87,"email":"ada@example.com"}""", true },
        { "data.score >= 50 and data.email != blank", """{"score":50,"email":"a@b.c"}""", true },
        { "data.score >= 50 and data.email != blank", """{"score":49,"email":"ada@example.com"}""", false },
        { "data.score >= 50 and data.email != blank", """{"score":87,"email":""}""", false },
        { "data.score >= 50 and data.email != blank", """{"score":87}""", false },
        { "data.score >= 50 and data.email != blank", """{"email":"ada@example.com"}""", false },
        { "data.score >= 50 and data.email != blank", """{"score":87,"email":null}""", false },
        { "data.score >= 50 and data.email != blank", "{}", false },
        { """data.tags contains "vip" """, """{"tags":["new","vip"]}""", true },
        { """data.tags contains "vip" """, """{"tags":["new"]}""", false },
        { """data.tags contains "vip" """, "{}", false },
        { """data.tags contains "vip" """, """{"tags":"a vip customer"}""", true },
        { """data.customer.address.country == "DE" """, """{"customer":{"address":{"country":"DE"}}}""", true },
        { """data.customer.address.country == "DE" """, """{"customer":{"address":{"country":"FR"}}}""", false },
        { """data.customer.address.country == "DE" """, """{"customer":"just a string"}""", false },
        { """data.customer.address.country == "DE" """, "{}", false },
        { "data.missing == blank", "{}", true },
        { "data.missing.deeper == blank", "{}", true },
        { "data.items.first.id == 7", """{"items":[{"id":7},{"id":8}]}""", true },
        { "data.items.size > 1", """{"items":[1,2,3]}""", true },
        { "data.vip or data.score > 90", """{"vip":false,"score":95}""", true },
        { "data.vip or data.score > 90", """{"vip":false,"score":10}""", false },
        { "data.vip", """{"vip":true}""", true },
    };

    /// <summary>Numbers sent as strings ("score": "87", as forms do) compare as numbers against a number; a string holding no number matches no comparison with one.</summary>
    public static TheoryData<string, string, bool> NumericStrings => new()
    {
        { "data.score >= 50", """{"score":"87"}""", true },
        { "data.score >= 50", """{"score":"49"}""", false },
        { "data.score >= 50", """{"score":"50"}""", true },
        { "data.score > 50", """{"score":"50"}""", false },
        { "data.score >= 50", """{"score":" 87 "}""", true },
        { "data.score >= 50", """{"score":"87.5"}""", true },
        { "data.score >= 50", """{"score":"-87"}""", false },
        { "data.score > 50", """{"score":"1e3"}""", true },
        { "data.score < 50", """{"score":"7"}""", true },
        { "data.score > 9", """{"score":"10"}""", true },
        { "data.score <= 9", """{"score":"10"}""", false },
        { "50 <= data.score", """{"score":"87"}""", true },
        { "data.score == 87", """{"score":"87"}""", true },
        { "data.score == 87", """{"score":"87.0"}""", true },
        { "data.score != 87", """{"score":"87"}""", false },
        { "data.score != 87", """{"score":"88"}""", true },
        { "data.score >= 50", """{"score":"eighty"}""", false },
        { "data.score >= 50", """{"score":"1,000"}""", false },
        { "data.score >= 50", """{"score":""}""", false },
        { "data.score >= 50", """{"score":null}""", false },
        { "data.score >= 50", "{}", false },
        { "data.score >= 50", """{"score":87}""", true },
        { "data.score >= 50", """{"score":49}""", false },
        { """data.zip == "01234" """, """{"zip":"01234"}""", true },
        { """data.zip == "1234" """, """{"zip":"01234"}""", false },
        { "data.zip == 1234", """{"zip":"01234"}""", true },
        { "data.score != 87", """{"score":"eighty"}""", true },
        { "data.score == 0", """{"score":""}""", false },
        // Two strings compare as text, as in Liquid: compare with a number, not a quoted one.
        { """data.score >= "50" """, """{"score":"100"}""", false },
    };

    [Theory]
    [MemberData(nameof(NumericStrings))]
    public async Task EvaluateAsync_NumberAsString_ComparesAsNumberAgainstNumbers(string condition, string dataJson, bool expected)
    {
        var data = System.Text.Json.JsonDocument.Parse(dataJson).RootElement;
        Assert.Equal(expected, await EvaluateAsync(condition, data));
    }

    [Theory]
    [MemberData(nameof(Table))]
    public async Task EvaluateAsync_TruthTable_MatchesExpected(string condition, string dataJson, bool expected)
    {
        var data = System.Text.Json.JsonDocument.Parse(dataJson).RootElement;
        Assert.Equal(expected, await EvaluateAsync(condition, data));
    }

    [Theory]
    [InlineData("data.score >=")]
    [InlineData("{% if true %}")]
    [InlineData("data.x == \"unterminated")]
    public void TryParseCondition_Invalid_ReturnsError(string condition)
    {
        Assert.False(LiquidEngine.TryParseCondition(condition, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }
}
