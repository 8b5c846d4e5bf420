using System.Text;

namespace Astra.Dispatch.Testing;

/// <summary>A thread-safe append-only list whose waiters are completed as items arrive (no polling).</summary>
internal sealed class Observed<T>
{
    private readonly List<T> items = [];
    private readonly List<Waiter> waiters = [];
    private readonly Lock sync = new();
    private readonly string what;
    private readonly Func<T, string> describe;

    public Observed(string what, Func<T, string> describe)
    {
        this.what = what;
        this.describe = describe;
    }

    public IReadOnlyList<T> Snapshot()
    {
        lock (sync)
        {
            return [.. items];
        }
    }

    public void Add(T item)
    {
        List<Waiter> done;
        IReadOnlyList<T> all;
        lock (sync)
        {
            items.Add(item);
            all = [.. items];
            done = waiters.Where(w => w.IsSatisfied(all)).ToList();
            waiters.RemoveAll(done.Contains);
        }

        // Completed outside the lock: continuations run asynchronously anyway.
        foreach (var waiter in done)
        {
            waiter.Complete(all);
        }
    }

    public void Clear()
    {
        lock (sync)
        {
            items.Clear();
        }
    }

    public async Task<T> WaitForAsync(Func<T, bool> predicate, TimeSpan timeout, string expectation, CancellationToken cancellationToken)
    {
        var matches = await WaitAsync(all => all.Any(predicate), timeout, expectation, cancellationToken);
        return matches.First(predicate);
    }

    public Task<IReadOnlyList<T>> WaitForCountAsync(int count, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitAsync(all => all.Count >= count, timeout, $"at least {count} {what}", cancellationToken);

    private async Task<IReadOnlyList<T>> WaitAsync(Func<IReadOnlyList<T>, bool> condition, TimeSpan timeout, string expectation, CancellationToken cancellationToken)
    {
        var waiter = new Waiter(condition);
        lock (sync)
        {
            IReadOnlyList<T> all = [.. items];
            if (condition(all))
            {
                return all;
            }

            waiters.Add(waiter);
        }

        try
        {
            return await waiter.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            lock (sync)
            {
                waiters.Remove(waiter);
            }

            throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.##}s waiting for {expectation}. {Describe()}");
        }
        catch (OperationCanceledException)
        {
            lock (sync)
            {
                waiters.Remove(waiter);
            }

            throw;
        }
    }

    private string Describe()
    {
        var all = Snapshot();
        var text = new StringBuilder($"Received {all.Count} {what}");
        text.Append(all.Count == 0 ? "." : ":");
        const int shown = 25;
        foreach (var item in all.Skip(Math.Max(0, all.Count - shown)))
        {
            text.Append("\n  - ").Append(describe(item));
        }

        if (all.Count > shown)
        {
            text.Append($"\n  (first {all.Count - shown} not shown)");
        }

        return text.ToString();
    }

    private sealed class Waiter(Func<IReadOnlyList<T>, bool> condition)
    {
        private readonly TaskCompletionSource<IReadOnlyList<T>> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<IReadOnlyList<T>> Task => completion.Task;

        public bool IsSatisfied(IReadOnlyList<T> all) => condition(all);

        public void Complete(IReadOnlyList<T> all) => completion.TrySetResult(all);
    }
}
