using System.Collections.Concurrent;
using Astra.Dispatch.Catalog;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;

namespace Astra.Dispatch.Tests.Support;

/// <summary>
/// The HTTP seam, scripted: each call takes the next queued answer (an outcome, or one the test completes later to
/// hold the call in flight); with none queued it answers 200. Every command sent is kept.
/// </summary>
internal sealed class ScriptedSender : IHttpActionSender
{
    private readonly ConcurrentQueue<Func<Task<AttemptOutcome>>> _answers = new();
    private readonly ConcurrentQueue<SendHttpAction> _sent = new();
    private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];

    public IReadOnlyList<SendHttpAction> Sent => [.. _sent];

    public ScriptedSender Answer(params AttemptOutcome[] outcomes)
    {
        foreach (var outcome in outcomes)
            _answers.Enqueue(() => Task.FromResult(outcome));
        return this;
    }

    /// <summary>The next call stays in flight until the returned source is completed.</summary>
    public TaskCompletionSource<AttemptOutcome> Hold()
    {
        var held = new TaskCompletionSource<AttemptOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        _answers.Enqueue(() => held.Task);
        return held;
    }

    /// <summary>Completes once <paramref name="count"/> calls have been made (an attempt claims its delivery before it sends).</summary>
    public Task WaitForSentAsync(int count)
    {
        lock (_waiters)
        {
            if (_sent.Count >= count)
                return Task.CompletedTask;
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, reached));
            return reached.Task;
        }
    }

    public Task<AttemptOutcome> SendAsync(SendHttpAction action, CompiledRule rule, CancellationToken cancellationToken)
    {
        lock (_waiters)
        {
            _sent.Enqueue(action);
            foreach (var waiter in _waiters.Where(w => w.Count <= _sent.Count).ToList())
            {
                waiter.Reached.SetResult();
                _waiters.Remove(waiter);
            }
        }
        return _answers.TryDequeue(out var next) ? next() : Task.FromResult(Outcomes.Ok);
    }
}
