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

    public Task<AttemptOutcome> SendAsync(SendHttpAction action, CompiledRule rule, CancellationToken cancellationToken)
    {
        _sent.Enqueue(action);
        return _answers.TryDequeue(out var next) ? next() : Task.FromResult(Outcomes.Ok);
    }
}
