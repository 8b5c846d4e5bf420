using Astra.Dispatch.Catalog;
using Astra.Dispatch.Templating;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Tests.Templating;

public sealed class TemplateLimitsBindingTests
{
    [Fact]
    public void AddDispatchCore_TemplatesSection_ReachesTheEngineAndTheCompiler()
    {
        using var provider = Services(new Dictionary<string, string?>
        {
            ["Dispatch:Templates:MaxNestingDepth"] = "8",
            ["Dispatch:Templates:RenderTimeout"] = "00:00:00.500",
        });

        Assert.Equal(TimeSpan.FromMilliseconds(500), provider.GetRequiredService<LiquidEngine>().Limits.RenderTimeout);
        Assert.Equal(8, provider.GetRequiredService<RuleCompilerFactory>().Limits.Templates.MaxNestingDepth);
    }

    [Theory]
    [InlineData("MaxNestingDepth", "100")]
    [InlineData("MaxOutputChars", "0")]
    [InlineData("RenderTimeout", "-00:00:01")]
    public void AddDispatchCore_InvalidTemplateLimit_FailsAtStart(string key, string value)
    {
        using var provider = Services(new Dictionary<string, string?> { [$"Dispatch:Templates:{key}"] = value });

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<TemplateLimits>>().Value);
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging().AddAstraDispatch().Services.BuildServiceProvider();
    }
}
