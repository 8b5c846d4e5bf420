using Astra.Dispatch.Templating;
using Astra.Dispatch.Tests.Support;

namespace Astra.Dispatch.Tests.Templating;

/// <summary>Templates are bounded in size and nesting before Fluid parses them.</summary>
public sealed class TemplateParseLimitsTests
{
    /// <summary>On main, 3,000 nested ifs overflowed the stack while parsing: the process aborted (exit 134) in
    /// <c>rules validate</c>, and in the worker on every restart.</summary>
    [Fact]
    public void Compile_ThreeThousandNestedIfs_ValidationErrorOnTheField()
    {
        var errors = Some.Errors(Some.Definition(body: Some.Nested(3000, "{%if x%}", "{%endif%}")));

        var error = Assert.Single(errors);
        Assert.Equal("request.body", error.Path);
        Assert.Contains("nests block tags more than 32 deep", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{% if true %}", "{% endif %}")]
    [InlineData("{% for i in (1..2) %}", "{% endfor %}")]
    [InlineData("{% unless false %}", "{% endunless %}")]
    [InlineData("{% capture c %}", "{% endcapture %}")]
    [InlineData("{%- case 1 -%}{%- when 1 -%}", "{% endcase %}")]
    public void TryParse_NestingUpToTheLimit_ParsesAndOneMoreIsRefused(string open, string close)
    {
        Assert.True(LiquidEngine.TryParse(Some.Nested(32, open, close), out _, out var error), error);
        Assert.False(LiquidEngine.TryParse(Some.Nested(33, open, close), out _, out error));
        Assert.Contains("nests block tags", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{{ ", "a[", "]", " }}")]
    [InlineData("{% assign x = ", "a[", "]", " %}")]
    [InlineData("{% if ", "a[", "]", " %}1{% endif %}")]
    public void TryParse_DeepBrackets_Refused(string start, string open, string close, string end)
    {
        Assert.False(LiquidEngine.TryParse(start + Some.Nested(5000, open, close, "0") + end, out _, out var error));
        Assert.Contains("nests brackets more than 32 deep", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_BracketsInsideStringLiterals_AreText() =>
        Assert.True(LiquidEngine.TryParse("{{ '" + new string('[', 100) + "' }}{{ \"((((((\" | append: a[\"[[[\"] }}", out _, out var error), error);

    /// <summary>A quote in an inline comment opens no string: the nesting after it is still counted.</summary>
    [Fact]
    public void TryParse_QuoteInInlineComment_NestingAfterItStillCounted()
    {
        Assert.False(LiquidEngine.TryParse("{% # it's %}" + Some.Nested(40, "{%if x%}", "{%endif%}") + "{% # ' %}", out _, out var error));
        Assert.Contains("nests block tags", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_NestedComments_Refused()
    {
        Assert.False(LiquidEngine.TryParse(Some.Nested(2000, "{% comment %}", "{% endcomment %}"), out _, out var error));
        Assert.Contains("nests comments", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_TagsInsideRaw_AreText() =>
        Assert.True(LiquidEngine.TryParse("{% raw %}" + string.Concat(Enumerable.Repeat("{% if x %}", 3000)) + "{% endraw %}", out _, out var error), error);

    /// <summary>On main, templates had no length limit of their own.</summary>
    [Fact]
    public void TryParse_LongerThanTheLimit_Refused()
    {
        Assert.True(LiquidEngine.TryParse(new string('x', 64 * 1024), out _, out var error), error);
        Assert.False(LiquidEngine.TryParse(new string('x', 64 * 1024 + 1), out _, out error));
        Assert.Contains("is 65537 characters; the limit is 65536", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParseCondition_LongerThanTheLimit_Refused()
    {
        var condition = "data.x == '" + new string('y', 4100) + "'";
        Assert.False(LiquidEngine.TryParseCondition(condition, out _, out var error));
        Assert.Contains("the limit is 4096", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_ParseError_IsOneLineWithoutTheTemplate()
    {
        var template = "{{ data.x | json " + new string('z', 2000);
        Assert.False(LiquidEngine.TryParse(template, out _, out var error));
        Assert.DoesNotContain("Source:", error, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", error, StringComparison.Ordinal);
        Assert.True(error!.Length <= 301, error);
    }

    [Theory]
    [InlineData("{% cycle 'a', 'b' %}")]
    [InlineData("{% tablerow i in (1..2) %}{{ i }}{% endtablerow %}")]
    [InlineData("{% ifchanged %}x{% endifchanged %}")]
    [InlineData("{% liquid echo 'x' %}")]
    public void TryParse_TagsThatBypassTheOutputGuard_Refused(string template) =>
        Assert.False(LiquidEngine.TryParse(template, out _, out _));

    /// <summary>On main, a literal range of ten million items was accepted at import and materialised at every render.</summary>
    [Theory]
    [InlineData("{% for i in (1..10000000) %}x{% endfor %}", "request.body")]
    [InlineData("{% assign r = (0..10000) %}", "request.body")]
    public void Compile_LiteralRangeWiderThanTheLimit_ValidationError(string body, string path)
    {
        var error = Assert.Single(Some.Errors(Some.Definition(body: body)));
        Assert.Equal(path, error.Path);
        Assert.Contains("the limit is 10000 (Dispatch:Templates:MaxCollectionSize)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_LiteralRangeInCondition_ValidationError()
    {
        var error = Assert.Single(Some.Errors(Some.Definition(when: "(1..10000000) contains data.score")));
        Assert.Equal("trigger.when", error.Path);
        Assert.Contains("10000000 items", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_RangeAtTheLimit_Accepted() =>
        Assert.Empty(Some.Errors(Some.Definition(body: "[{% for i in (1..10000) %}{{ i }}{% unless forloop.last %},{% endunless %}{% endfor %}]")));
}
