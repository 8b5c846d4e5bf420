namespace Astra.Dispatch.Delivery;

/// <summary>The <c>Dispatch:Delivery</c> section: default retry schedule and rule pausing.</summary>
public sealed class RetryOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Dispatch:Delivery";

    /// <summary>Svix's schedule: 8 tries over ~27.6 h.</summary>
    public static readonly IReadOnlyList<string> DefaultSchedule = ["5s", "5m", "30m", "2h", "5h", "10h", "10h"];

    /// <summary>
    /// Delays between attempts when a rule sets none; empty means <see cref="DefaultSchedule"/>. (Not initialised
    /// with the default: the configuration binder appends to an array, so a configured schedule would extend it.)
    /// </summary>
    public string[] Schedule { get; set; } = [];

    /// <summary>Each delay is spread by ± this fraction so retries from an outage don't arrive together.</summary>
    public double Jitter { get; set; } = 0.2;

    /// <summary>
    /// Distinct retry delays across all stored rules, the default schedule and the deferral tiers: each is a broker queue
    /// (a delay tier), so an import that would pass this is refused.
    /// </summary>
    public int MaxDelayTiers { get; set; } = 32;

    /// <summary>A rule whose deliveries have all failed for this long is paused.</summary>
    public TimeSpan PauseAfter { get; set; } = TimeSpan.FromDays(5);

    /// <summary>
    /// On a graceful stop, how long in-flight HTTP calls may run before they are cancelled and their commands
    /// requeued (not acknowledged). The host's shutdown timeout is set above it so the delivery log still flushes.
    /// </summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(30);
}
