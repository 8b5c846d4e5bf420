using Astra.Dispatch.Delivery;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Tests.Delivery;

public sealed class RetryOptionsBindingTests
{
    [Fact]
    public void Schedule_ConfiguredInSettings_ReplacesDefaultInsteadOfExtendingIt()
    {
        var schedule = Build(new Dictionary<string, string?>
        {
            ["Dispatch:Delivery:Schedule:0"] = "1s",
            ["Dispatch:Delivery:Schedule:1"] = "2s",
            ["Dispatch:Delivery:Schedule:2"] = "4s",
        });

        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)], schedule.Default);
    }

    [Fact]
    public void Schedule_NotConfigured_IsSvixDefault()
    {
        var schedule = Build([]);

        Assert.Equal(7, schedule.Default.Count);
        Assert.Equal(TimeSpan.FromSeconds(5), schedule.Default[0]);
        Assert.Equal(TimeSpan.FromHours(10), schedule.Default[^1]);
    }

    [Fact]
    public void ShutdownGrace_Configured_IsBound()
    {
        using var provider = Services(new Dictionary<string, string?> { ["Dispatch:Delivery:ShutdownGrace"] = "00:00:07" });

        Assert.Equal(TimeSpan.FromSeconds(7), provider.GetRequiredService<IOptions<RetryOptions>>().Value.ShutdownGrace);
    }

    private static RetrySchedule Build(Dictionary<string, string?> settings)
    {
        using var provider = Services(settings);
        var schedule = provider.GetRequiredService<RetrySchedule>();
        _ = schedule.Default;
        return schedule;
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging().AddAstraDispatch().Services.BuildServiceProvider();
    }
}
