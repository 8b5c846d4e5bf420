namespace Astra.Dispatch.Storage;

/// <summary>How long the delivery log keeps what it records (<c>Dispatch:Delivery:Retention</c>).</summary>
internal sealed class RetentionOptions
{
    public const string Section = "Dispatch:Delivery";

    /// <summary>
    /// Deliveries not updated for this long are deleted with their attempts and claims, and stored events with them;
    /// <c>0</c> keeps everything.
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often the log is pruned (each pass deletes in batches until nothing is older than the retention).</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromMinutes(10);
}
