using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Delivery;

/// <summary>
/// A circuit breaker per destination (host and port). After <see cref="HttpDeliveryOptions.BreakerThreshold"/> calls
/// in a row got no answer at all (timed out or could not connect), the destination is not called for
/// <see cref="HttpDeliveryOptions.BreakerOpenFor"/>: its deliveries fail at once as a transient attempt and follow
/// their rule's retry schedule, instead of each holding a consumer slot until its timeout. Then one probe call is let
/// through; an answer closes the circuit, another unanswered call opens it again. Any HTTP answer counts as the host
/// being there (a 5xx may be one path's problem on a host that other rules share), so only silence trips it.
/// </summary>
internal sealed partial class DestinationBreaker(IOptions<HttpDeliveryOptions> options, TimeProvider time, ILogger<DestinationBreaker> logger)
{
    /// <summary>Past this many silent destinations, those whose circuit is closed are forgotten (wildcard subdomains).</summary>
    internal const int MaxCircuits = 10_000;

    private readonly ConcurrentDictionary<string, Circuit> _circuits = new(StringComparer.OrdinalIgnoreCase);

    // Circuits not closed, kept beside the dictionary so the event consumer's per-command check is one read in the
    // usual case (ConcurrentDictionary.IsEmpty takes every lock when it is empty).
    private int _open;

    /// <summary>Whether any destination's circuit is open or half-open.</summary>
    public bool AnyOpen => Volatile.Read(ref _open) > 0;

    /// <summary>
    /// Null when <paramref name="destination"/> may be called now; otherwise the failed attempt to record instead, with
    /// the circuit's remaining open time as its Retry-After, so the retry is not scheduled before the next probe.
    /// Once the open period is over, the first caller with <paramref name="mayProbe"/> becomes the probe; callers
    /// that will not call the destination themselves (the event consumer) pass false and leave the probe to a sender.
    /// </summary>
    public AttemptOutcome? Refuse(Uri destination, bool mayProbe = true, string scope = "")
    {
        var threshold = options.Value.BreakerThreshold;
        if (threshold <= 0 || !_circuits.TryGetValue(Key(scope, destination), out var circuit))
            return null;
        lock (circuit)
        {
            if (circuit.OpenUntil is not { } until)
                return null;
            var now = time.GetUtcNow();
            if (now >= until)
            {
                // Half-open: this call is the probe; the others keep failing fast until it answers or times out.
                if (mayProbe)
                    circuit.OpenUntil = now + options.Value.BreakerOpenFor;
                return null;
            }
            var error = $"not sent: {destination.Authority} left {circuit.Unanswered} calls in a row unanswered; circuit open until {until.UtcDateTime:HH:mm:ss}Z";
            return new AttemptOutcome(OutcomeKind.Transient, null, error, TimeSpan.Zero) { ShortCircuited = true, RetryAfter = until - now };
        }
    }

    /// <summary>Feeds the outcome of a call to <paramref name="destination"/> into its circuit.</summary>
    public void Record(Uri destination, AttemptOutcome outcome, string scope = "")
    {
        var threshold = options.Value.BreakerThreshold;
        if (threshold <= 0)
            return;
        var key = Key(scope, destination);
        var unanswered = outcome.Kind == OutcomeKind.Transient && outcome.StatusCode is null;
        if (!unanswered && !_circuits.ContainsKey(key))
            return;
        if (unanswered && _circuits.Count >= MaxCircuits && !_circuits.ContainsKey(key))
            DropClosed();
        var circuit = _circuits.GetOrAdd(key, _ => new Circuit());
        lock (circuit)
        {
            if (!unanswered)
            {
                if (circuit.OpenUntil is not null)
                {
                    Interlocked.Decrement(ref _open);
                    LogClosed(destination.Authority);
                }
                circuit.Unanswered = 0;
                circuit.OpenUntil = null;
                // An answering destination needs no circuit: the map holds only destinations that went silent.
                _circuits.TryRemove(new KeyValuePair<string, Circuit>(key, circuit));
                return;
            }
            circuit.Unanswered++;
            if (circuit.Unanswered < threshold)
                return;
            if (circuit.OpenUntil is null)
            {
                Interlocked.Increment(ref _open);
                LogOpened(destination.Authority, circuit.Unanswered, options.Value.BreakerOpenFor);
            }
            circuit.OpenUntil = time.GetUtcNow() + options.Value.BreakerOpenFor;
        }
    }

    /// <summary>
    /// One circuit per destination and network policy (<paramref name="scope"/>): the calls of a tenant whose policy refuses
    /// a destination go unanswered for it alone, and must not open the circuit of tenants allowed to reach it.
    /// </summary>
    private static string Key(string scope, Uri destination) => scope.Length == 0 ? destination.Authority : $"{scope} {destination.Authority}";

    private void DropClosed()
    {
        foreach (var (name, circuit) in _circuits)
        {
            lock (circuit)
            {
                if (circuit.OpenUntil is null)
                    _circuits.TryRemove(new KeyValuePair<string, Circuit>(name, circuit));
            }
        }
    }

    private sealed class Circuit
    {
        public int Unanswered;
        public DateTimeOffset? OpenUntil;
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning,
        Message = "Destination {Destination} left {Count} calls in a row unanswered: circuit open, its deliveries fail fast onto their retry schedules; probing again in {OpenFor}")]
    private partial void LogOpened(string destination, int count, TimeSpan openFor);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Information, Message = "Destination {Destination} answered again: circuit closed")]
    private partial void LogClosed(string destination);
}
