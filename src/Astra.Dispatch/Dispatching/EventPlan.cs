using Astra.Dispatch.Contracts;
using Astra.Dispatch.Storage;

namespace Astra.Dispatch.Dispatching;

/// <summary>What the bus tells about an event as it arrives.</summary>
/// <param name="BodyBytes">The size of the message body.</param>
/// <param name="Redelivered">The broker redelivered it (a worker died or lost its channel while handling it).</param>
/// <param name="PublisherUserId">
/// The broker user that published it (the AMQP <c>user_id</c> property, which RabbitMQ checks against the publishing
/// connection's user), or null when the publisher did not set it; judged against <c>Dispatch:Tenancy:Publishers</c>.
/// </param>
public readonly record struct EventReceipt(long BodyBytes, bool Redelivered, string? PublisherUserId = null);

/// <summary>
/// What to do with one event: the commands to send (or park), the render failures to publish, and the log entries to
/// append once the broker has confirmed the commands. A <see cref="Rejection"/> makes the event poison (dead-lettered).
/// </summary>
public sealed record EventPlan
{
    /// <summary>Nothing matched.</summary>
    public static readonly EventPlan Empty = new();

    /// <summary>Why the event is invalid (dead-lettered, not retried), or null.</summary>
    public string? Rejection { get; init; }

    /// <summary>One command per matched rule that rendered.</summary>
    public IReadOnlyList<PlannedCommand> Commands { get; init; } = [];

    /// <summary><c>action.failed</c> results of the rules that matched but could not render this event.</summary>
    public IReadOnlyList<ActionFailed> Failures { get; init; } = [];

    internal IReadOnlyList<DeliveryLogEntry> LogEntries { get; init; } = [];

    /// <summary>An invalid event.</summary>
    public static EventPlan Rejected(string reason) => new() { Rejection = reason };
}

/// <summary>A command to send to <c>astra.dispatch.send</c>, or to park in a delay tier when <see cref="Park"/> is set.</summary>
/// <param name="Command">The command.</param>
/// <param name="Known">Its delivery was already in the log (a republished event): mark it, so the send consumer checks the log.</param>
/// <param name="Park">Its destination's circuit is open: its first attempt is recorded as refused and it waits in a tier.</param>
public sealed record PlannedCommand(SendHttpAction Command, bool Known, Parking? Park);

/// <summary>Where and how long a parked command waits before its next attempt.</summary>
public sealed record Parking(TimeSpan Tier, TimeSpan Wait);
