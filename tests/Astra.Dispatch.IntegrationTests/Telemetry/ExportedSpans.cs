using System.Collections;
using System.Diagnostics;

namespace Astra.Dispatch.IntegrationTests.Telemetry;

/// <summary>
/// The collection the OTel in-memory exporter writes ended spans into, thread-safe, with a wait that is woken by
/// each new span instead of polling.
/// </summary>
internal sealed class ExportedSpans : ICollection<Activity>
{
    private readonly List<Activity> _items = [];
    private readonly Lock _lock = new();
    private TaskCompletionSource _added = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Count
    {
        get
        {
            lock (_lock)
                return _items.Count;
        }
    }

    public bool IsReadOnly => false;

    public void Add(Activity item)
    {
        TaskCompletionSource added;
        lock (_lock)
        {
            _items.Add(item);
            added = _added;
            _added = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        added.TrySetResult();
    }

    public List<Activity> Snapshot()
    {
        lock (_lock)
            return [.. _items];
    }

    /// <summary>Waits until the spans exported so far satisfy <paramref name="done"/>; returns them.</summary>
    public async Task<List<Activity>> WaitForAsync(Func<List<Activity>, bool> done, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            Task next;
            List<Activity> snapshot;
            lock (_lock)
            {
                snapshot = [.. _items];
                next = _added.Task;
            }
            if (done(snapshot))
                return snapshot;
            try
            {
                await next.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"spans did not arrive within {timeout}; got: " +
                    string.Join(", ", snapshot.Select(a => $"{a.Source.Name}/{a.DisplayName}/{a.TraceId}")));
            }
        }
    }

    public void Clear()
    {
        lock (_lock)
            _items.Clear();
    }

    public bool Contains(Activity item)
    {
        lock (_lock)
            return _items.Contains(item);
    }

    public void CopyTo(Activity[] array, int arrayIndex)
    {
        lock (_lock)
            _items.CopyTo(array, arrayIndex);
    }

    public bool Remove(Activity item)
    {
        lock (_lock)
            return _items.Remove(item);
    }

    public IEnumerator<Activity> GetEnumerator() => Snapshot().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
