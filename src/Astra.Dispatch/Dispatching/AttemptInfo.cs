namespace Astra.Dispatch.Dispatching;

/// <summary>What the bus tells about a command as it arrives for an attempt.</summary>
/// <param name="AttemptsSoFar">Attempts already made (0 for a fresh command).</param>
/// <param name="DeferralsSoFar">Times in a row it was deferred without an attempt.</param>
/// <param name="MayBeHandled">
/// It may have been handled before: redelivered by the broker, back from a delay tier, or its delivery was already in
/// the log when its event arrived. Only then is the delivery log asked whether it already succeeded.
/// </param>
public readonly record struct AttemptInfo(int AttemptsSoFar, int DeferralsSoFar, bool MayBeHandled)
{
    /// <summary>A fresh command, never seen before.</summary>
    public static AttemptInfo First => new(0, 0, false);

    /// <summary>The number of the attempt about to be made.</summary>
    public int Attempt => AttemptsSoFar + 1;
}
