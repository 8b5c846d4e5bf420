using Astra.Dispatch.Dispatching;

namespace Astra.Dispatch.Tests.Delivery;

public sealed class SucceededDeliveriesTests
{
    [Fact]
    public void Add_ThenContains_AddingTwiceIsHarmless()
    {
        var succeeded = new SucceededDeliveries();
        succeeded.Add("msg_a");
        succeeded.Add("msg_a");
        Assert.True(succeeded.Contains("msg_a"));
        Assert.False(succeeded.Contains("msg_b"));
    }

    [Fact]
    public void Add_BeyondCapacity_ForgetsTheOldestFirst()
    {
        var succeeded = new SucceededDeliveries();
        for (var i = 0; i < SucceededDeliveries.Capacity + 10; i++)
            succeeded.Add($"msg_{i}");

        Assert.All(Enumerable.Range(0, 10), i => Assert.False(succeeded.Contains($"msg_{i}")));
        Assert.True(succeeded.Contains("msg_10"));
        Assert.True(succeeded.Contains($"msg_{SucceededDeliveries.Capacity + 9}"));
    }

    [Fact]
    public async Task Add_FromManyThreads_KeepsExactlyCapacity()
    {
        var succeeded = new SucceededDeliveries();
        const int perThread = 40_000;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < perThread; i++)
                succeeded.Add($"msg_{t}_{i}");
        })));
        succeeded.Add("msg_last");

        var kept = Enumerable.Range(0, 4).SelectMany(t => Enumerable.Range(0, perThread).Select(i => $"msg_{t}_{i}")).Count(succeeded.Contains);
        Assert.True(succeeded.Contains("msg_last"));
        Assert.Equal(SucceededDeliveries.Capacity - 1, kept);
    }
}
