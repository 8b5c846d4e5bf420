namespace Astra.Dispatch.Templating;

/// <summary>
/// Hands out the cancellation tokens that bound each render in time (<see cref="TemplateLimits.RenderTimeout"/>).
/// Renders that start within the same quarter of the timeout share one token source, so a render pays for no timer
/// of its own: each token fires between one and one and a quarter timeouts after it was handed out.
/// </summary>
internal sealed class RenderDeadlines(TimeSpan timeout, TimeProvider time)
{
    private readonly TimeSpan _slot = timeout / 4;
    private Slot? _current;

    public CancellationToken Next()
    {
        var now = time.GetTimestamp();
        var slot = Volatile.Read(ref _current);
        if (slot is null || time.GetElapsedTime(slot.Opened, now) >= _slot)
        {
            // Never disposed: a source is dropped once its timer has fired, and disposing it earlier could race a render
            // still holding its token. Two threads opening a slot at once is harmless: both sources are valid.
            slot = new Slot(now, new CancellationTokenSource(timeout + _slot, time));
            Volatile.Write(ref _current, slot);
        }
        return slot.Source.Token;
    }

    private sealed record Slot(long Opened, CancellationTokenSource Source);
}
