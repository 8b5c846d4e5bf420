using Astra.Dispatch.Dispatching.Warmup;
using Astra.Dispatch.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Astra.Dispatch.Tests.Dispatching;

/// <summary>The core's warm-up steps as the worker registers them, run for real (loopback HTTP, a SQLite file).</summary>
public sealed class WarmupStepsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("astra-warmup-").FullName;
    private readonly ServiceProvider _services;

    public WarmupStepsTests()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Dispatch:Database"] = Path.Combine(_folder, "dispatch.db"),
        }).Build();
        _services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging().AddAstraDispatch().AddWorker().Services
            .BuildServiceProvider();
    }

    [Fact]
    public void Worker_RegistersPlanningAndHttpSteps() =>
        Assert.Equal(["planning", "http"], _services.GetServices<IWarmupStep>().Select(s => s.Name));

    [Fact]
    public async Task Steps_RunWithoutRulesOrNetwork_NothingWrittenToTheLog()
    {
        foreach (var step in _services.GetServices<IWarmupStep>())
            await step.RunAsync(CancellationToken.None);

        // The default network policy refuses loopback: the HTTP step's own policy allows its listener and nothing else.
        Assert.Empty(await _services.GetRequiredService<IDeliveryLog>().ListAsync(new DeliveryQuery(), CancellationToken.None));
    }

    public void Dispose()
    {
        _services.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
