using System.Diagnostics;

namespace Astra.Dispatch.Tests.Support;

/// <summary>Waits for a condition that something asynchronous (a file watcher, a background loop) will make true.</summary>
internal static class Eventually
{
    /// <summary>
    /// Polls <paramref name="condition"/> until it holds, running <paramref name="step"/> (e.g. advancing a fake clock)
    /// between polls; fails naming <paramref name="what"/> after a generous timeout.
    /// </summary>
    public static async Task HoldsAsync(string what, Func<bool> condition, Action? step = null, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(20);
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            if (waited.Elapsed > limit)
                Assert.Fail($"{what}: not within {limit.TotalSeconds:0}s");
            step?.Invoke();
            await Task.Delay(10);
        }
    }
}
