using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Astra.Dispatch.Telemetry;

/// <summary>
/// The worker's own telemetry, in one place: one <see cref="ActivitySource"/> and one <see cref="Meter"/>, both
/// named <c>Astra.Dispatch</c>. Tags carry identifiers only (tenant, rule, delivery id, attempt, status), never
/// secrets, URLs with credentials or bodies. Metric tags stay low-cardinality: rule and event type, not ids.
/// </summary>
public sealed class DispatchTelemetry : IDisposable
{
    /// <summary>The name of the activity source and the meter.</summary>
    public const string Name = "Astra.Dispatch";

    /// <summary>Spans: event consume → match rules → render → send commands; deliver → HTTP (HttpClient instrumentation).</summary>
    public static readonly ActivitySource Source = new(Name, typeof(DispatchTelemetry).Assembly.GetName().Version?.ToString());

    private readonly Meter _meter;
    private readonly Counter<long> _eventsConsumed;
    private readonly Counter<long> _rulesMatched;
    private readonly Counter<long> _deliveries;
    private readonly Counter<long> _attempts;
    private readonly Histogram<double> _httpDuration;
    private readonly Histogram<double> _endToEnd;
    private readonly Counter<long> _retriesScheduled;
    private readonly Counter<long> _deadLetters;
    private readonly Counter<long> _tiersRefused;

    /// <summary>The instruments, on a meter from <paramref name="meters"/>.</summary>
    public DispatchTelemetry(IMeterFactory meters)
    {
        _meter = meters.Create(Name);
        _eventsConsumed = _meter.CreateCounter<long>("astra.dispatch.events.consumed", "{event}", "Conversation events consumed, by type and outcome.");
        _rulesMatched = _meter.CreateCounter<long>("astra.dispatch.rules.matched", "{match}", "Rules whose trigger and condition matched an event.");
        _deliveries = _meter.CreateCounter<long>("astra.dispatch.deliveries", "{delivery}", "Deliveries finished, by rule and outcome (succeeded, failed).");
        _attempts = _meter.CreateCounter<long>("astra.dispatch.attempts", "{attempt}", "Attempts, by rule and outcome (succeeded, transient, permanent, circuit-open).");
        _httpDuration = _meter.CreateHistogram("astra.dispatch.http.duration", "s", "Duration of one HTTP attempt.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _endToEnd = _meter.CreateHistogram("astra.dispatch.delivery.latency", "s", "From the event's occurredAt to the successful delivery.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60, 300, 1800, 7200, 36000, 86400] });
        _retriesScheduled = _meter.CreateCounter<long>("astra.dispatch.retries.scheduled", "{retry}", "Redeliveries scheduled, by delay tier and reason (retry, deferred).");
        _deadLetters = _meter.CreateCounter<long>("astra.dispatch.dead_letters", "{message}", "Commands dead-lettered to astra.dispatch.send_error, by rule.");
        _tiersRefused = _meter.CreateCounter<long>("astra.dispatch.delay_tiers.refused", "{tier}",
            "Delay tiers the broker refused to declare (each counted once when found), by tier: deliveries that need one fail instead of waiting in it.");
        _meter.CreateObservableGauge("astra.dispatch.rules.loaded", RulesLoaded, "{rule}", "Rules in the worker's cache, by state.");
    }

    /// <summary>An event was handled (outcome: matched, unmatched, invalid).</summary>
    public void EventConsumed(string eventType, string outcome) =>
        _eventsConsumed.Add(1, new KeyValuePair<string, object?>(Tags.EventType, eventType), new KeyValuePair<string, object?>(Tags.Outcome, outcome));

    /// <summary>A rule's trigger and condition matched.</summary>
    public void RuleMatched(string ruleId) => _rulesMatched.Add(1, new KeyValuePair<string, object?>(Tags.Rule, ruleId));

    /// <summary>An attempt's outcome; <paramref name="duration"/> is null for one that made no HTTP call (circuit open).</summary>
    public void AttemptFinished(string ruleId, string outcome, int? statusCode, TimeSpan? duration)
    {
        var rule = new KeyValuePair<string, object?>(Tags.Rule, ruleId);
        _attempts.Add(1, rule, new KeyValuePair<string, object?>(Tags.Outcome, outcome));
        if (duration is not { } took)
            return;
        if (statusCode is { } status)
            _httpDuration.Record(took.TotalSeconds, rule, new KeyValuePair<string, object?>(Tags.HttpStatus, status));
        else
            _httpDuration.Record(took.TotalSeconds, rule, new KeyValuePair<string, object?>(Tags.ErrorType, outcome));
    }

    /// <summary>A delivery succeeded; records the end-to-end latency.</summary>
    public void Delivered(string ruleId, DateTimeOffset occurredAt, DateTimeOffset now)
    {
        _deliveries.Add(1, new KeyValuePair<string, object?>(Tags.Rule, ruleId), new KeyValuePair<string, object?>(Tags.Outcome, "succeeded"));
        if (occurredAt != default && now >= occurredAt)
            _endToEnd.Record((now - occurredAt).TotalSeconds, new KeyValuePair<string, object?>(Tags.Rule, ruleId));
    }

    /// <summary>A delivery failed for good: published as <c>action.failed</c> and, for a send command, dead-lettered.</summary>
    public void Failed(string ruleId, bool deadLettered = true)
    {
        var rule = new KeyValuePair<string, object?>(Tags.Rule, ruleId);
        _deliveries.Add(1, rule, new KeyValuePair<string, object?>(Tags.Outcome, "failed"));
        if (deadLettered)
            _deadLetters.Add(1, rule);
    }

    /// <summary>A redelivery went to a delay tier (reason: retry or deferred).</summary>
    public void RetryScheduled(TimeSpan tier, string reason) =>
        _retriesScheduled.Add(1, new KeyValuePair<string, object?>(Tags.Tier, $"{tier.TotalSeconds:0.###}s"), new KeyValuePair<string, object?>(Tags.Reason, reason));

    /// <summary>The broker refused to declare a delay tier's queue.</summary>
    public void DelayTierRefused(TimeSpan tier) =>
        _tiersRefused.Add(1, new KeyValuePair<string, object?>(Tags.Tier, $"{tier.TotalSeconds:0.###}s"));

    /// <summary>Where the rules gauge reads its counts: the rule cache registers itself (telemetry depends on no feature).</summary>
    public void ObserveRules(Func<(int Enabled, int Total)> counts) => _ruleCounts = counts;

    private Func<(int Enabled, int Total)>? _ruleCounts;

    private IEnumerable<Measurement<int>> RulesLoaded()
    {
        if (_ruleCounts?.Invoke() is not var (enabled, total))
            yield break;
        yield return new Measurement<int>(enabled, new KeyValuePair<string, object?>(Tags.State, "enabled"));
        yield return new Measurement<int>(total - enabled, new KeyValuePair<string, object?>(Tags.State, "disabled"));
    }

    /// <summary>Disposes the meter.</summary>
    public void Dispose() => _meter.Dispose();

    /// <summary>Attribute names, shared by spans and metrics.</summary>
    public static class Tags
    {
        /// <summary>The tenant id.</summary>
        public const string Tenant = "astra.tenant";
        /// <summary>The rule id.</summary>
        public const string Rule = "astra.rule";
        /// <summary>The event id.</summary>
        public const string EventId = "astra.event.id";
        /// <summary>The event type.</summary>
        public const string EventType = "astra.event.type";
        /// <summary>The delivery id.</summary>
        public const string DeliveryId = "astra.delivery.id";
        /// <summary>The attempt number.</summary>
        public const string Attempt = "astra.attempt";
        /// <summary>An outcome name.</summary>
        public const string Outcome = "astra.outcome";
        /// <summary>A delay tier.</summary>
        public const string Tier = "astra.retry.tier";
        /// <summary>Why a redelivery was scheduled.</summary>
        public const string Reason = "astra.retry.reason";
        /// <summary>A rule state.</summary>
        public const string State = "astra.rule.state";
        /// <summary>Rules considered for an event.</summary>
        public const string Candidates = "astra.rules.candidates";
        /// <summary>Rules matched by an event.</summary>
        public const string Matched = "astra.rules.matched";
        /// <summary>The HTTP status.</summary>
        public const string HttpStatus = "http.response.status_code";
        /// <summary>Why an attempt got no HTTP answer.</summary>
        public const string ErrorType = "error.type";
    }
}
