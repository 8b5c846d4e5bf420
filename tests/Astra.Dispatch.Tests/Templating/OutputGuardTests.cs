using Astra.Dispatch.Templating;
using Astra.Dispatch.Tests.Support;
using Fluid;
using Fluid.Values;

namespace Astra.Dispatch.Tests.Templating;

/// <summary>
/// Every template is rewritten so its outputs write through the encoder; without an encoder (headers, text/plain)
/// the rewritten template must render exactly what Fluid renders, in every kind of block.
/// </summary>
public sealed class OutputGuardTests
{
    public static TheoryData<string, string> Templates => new()
    {
        { "{{ data.name }}", "Ada \"L\"" },
        { "{{ data.tags }}", "ab\"" },
        { "{{ data.tags | join: ', ' }}", "a, b\"" },
        { "{{ data.name | raw }}", "Ada \"L\"" },
        { "{{ data.name | escape }}", "Ada &quot;L&quot;" },
        { "{% if data.score > 50 %}high {{ data.score }}{% elsif data.score > 10 %}mid{% else %}low{% endif %}", "high 87" },
        { "{% unless data.vip %}not {{ 'vip' | upcase }}{% else %}vip{% endunless %}", "not VIP" },
        { "{% case data.score %}{% when 1, 87 %}one of {{ data.score }}{% else %}other{% endcase %}", "one of 87" },
        { "{% for t in data.tags reversed %}{{ forloop.index }}={{ t }};{% else %}none{% endfor %}", "1=b\";2=a;" },
        { "{% for t in data.missing %}x{% else %}none {{ data.name | size }}{% endfor %}", "none 7" },
        { "{% for i in (1..5) limit: 2 offset: 1 %}{{ i }}{% endfor %}", "23" },
        { "{% for i in (1..5) %}{% if i == 3 %}{% break %}{% endif %}{% if i == 1 %}{% continue %}{% endif %}{{ i }}{% endfor %}", "2" },
        { "{% capture c %}[{{ data.name }}]{% endcapture %}{{ c }}{{ c | size }}", "[Ada \"L\"]9" },
        { "{% assign n = data.score | plus: 1 %}{{ n }}", "88" },
        { "{%- if true -%}  trimmed  {%- endif -%}", "trimmed" },
        { "a {{- ' b ' -}} c", "a b c" },
        { "{% echo data.name | downcase %}", "ada \"l\"" },
        { "{% raw %}{{ not output }}{% endraw %}", "{{ not output }}" },
        { "{% comment %}{{ data.name }}{% endcomment %}{% # inline %}x", "x" },
        { "{% increment c %}{% increment c %}{% decrement d %}", "01-1" },
        { "{{ data.missing }}|{{ nil }}|{{ true }}|{{ 1.5 }}", "||true|1.5" },
        { "{% if data.name contains 'Ada' and data.score >= 50 %}yes{% endif %}", "yes" },
        { "{{ data.nested.list[1].id }}", "7" },
    };

    private static readonly Dictionary<string, object?> Model = Some.Model(new
    {
        name = "Ada \"L\"",
        score = 87,
        vip = false,
        tags = new[] { "a", "b\"" },
        nested = new { list = new object[] { new { id = 6 }, new { id = 7 } } },
    });

    [Theory]
    [MemberData(nameof(Templates))]
    public async Task RenderAsync_WithoutEncoder_SameAsFluid(string template, string expected)
    {
        Assert.True(LiquidEngine.TryParse(template, out var guarded, out var error), error);
        Assert.True(new FluidParser().TryParse(template, out var plain, out error), error);
        var fluidContext = new TemplateContext(new TemplateOptionsBuilder().WithModelNamesComparer(StringComparer.Ordinal).Build());
        foreach (var (key, value) in Model)
            fluidContext.SetValue(key, value ?? NilValue.Instance);

        Assert.Equal(expected, await plain.RenderAsync(fluidContext, NullEncoder.Default));
        Assert.Equal(expected, await LiquidEngine.RenderAsync(guarded!, new LiquidEngine().CreateContext(Model)));
    }
}
