namespace Astra.Dispatch.Bus.Redelivery;

/// <summary>
/// What the send consumer decided about the next delivery of the message it is handling: which delay tier,
/// the jittered time to wait in it, and whether this try counted as an attempt. Added as a payload by the tier
/// scheduler filter, so the consumer writes it and the scheduler provider reads it when the consumer redelivers.
/// </summary>
public sealed class RedeliveryPlan
{
    /// <summary>The attempt header: how many attempts the message has had before this delivery.</summary>
    public const string AttemptsHeader = "astra-attempts";

    /// <summary>The deferral header: how many times in a row the message was deferred without an attempt.</summary>
    public const string DeferralsHeader = "astra-deferrals";

    public TimeSpan Tier { get; set; }
    public TimeSpan Wait { get; set; }
    public int AttemptsSoFar { get; set; }

    /// <summary>Consecutive deferrals including this one; 0 when this try was an attempt.</summary>
    public int Deferrals { get; set; }
}
