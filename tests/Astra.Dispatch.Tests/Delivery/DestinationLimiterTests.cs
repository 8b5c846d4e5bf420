using Astra.Dispatch.Delivery;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Tests.Delivery;

public sealed class DestinationLimiterTests
{
    private static readonly Uri Hooks = new("https://hooks.example.com/a");
    private DestinationLimiter Limiter(int slots, TimeSpan wait) =>
        new(Options.Create(new HttpDeliveryOptions { MaxConcurrencyPerDestination = slots, DestinationWait = wait }));

    [Fact]
    public async Task EnterAsync_FastDestinationSaturated_WaitsForTheSlotThatFreesUp()
    {
        var limiter = Limiter(1, TimeSpan.FromSeconds(5));
        var first = await limiter.EnterAsync(Hooks, CancellationToken.None);
        Assert.NotNull(first);

        var second = limiter.EnterAsync(Hooks, CancellationToken.None).AsTask();
        Assert.False(second.IsCompleted);
        first.Value.Dispose();
        Assert.NotNull(await second);
    }

    [Fact]
    public async Task EnterAsync_SaturatedLongerThanTheWait_Defers()
    {
        var limiter = Limiter(1, TimeSpan.FromMilliseconds(50));
        using var held = await limiter.EnterAsync(Hooks, CancellationToken.None);

        Assert.Null(await limiter.EnterAsync(Hooks, CancellationToken.None));
    }

    [Fact]
    public async Task EnterAsync_DestinationsAreLimitedSeparately()
    {
        var limiter = Limiter(1, TimeSpan.FromMilliseconds(50));
        using var held = await limiter.EnterAsync(Hooks, CancellationToken.None);

        using var other = await limiter.EnterAsync(new Uri("https://crm.example.com/leads"), CancellationToken.None);
        Assert.NotNull(other);
    }

}
