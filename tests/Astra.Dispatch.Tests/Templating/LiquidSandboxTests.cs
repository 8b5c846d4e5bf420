using Astra.Dispatch.Templating;

namespace Astra.Dispatch.Tests.Templating;

public sealed class LiquidSandboxTests
{
    [Theory]
    [InlineData("{% include '/etc/passwd' %}")]
    [InlineData("{% render 'secrets' %}")]
    [InlineData("{{ 'x' | nosuchfilter( }}")]
    public void TryParse_FileTagsAndBrokenSyntax_Refused(string template) =>
        Assert.False(LiquidEngine.TryParse(template, out _, out _));

    [Fact]
    public async Task RenderAsync_InfiniteLikeLoop_StoppedByStepLimit()
    {
        Assert.True(LiquidEngine.TryParse("{% for i in (1..9000) %}{% for j in (1..9000) %}{% endfor %}{% endfor %}", out var template, out _));
        var ex = await Assert.ThrowsAnyAsync<InvalidOperationException>(async () => await LiquidEngine.RenderAsync(template!, new LiquidEngine().CreateContext(new Dictionary<string, object?>())));
        Assert.Contains("steps", ex.Message, StringComparison.Ordinal);
    }
}
