namespace Astra.Dispatch.Delivery;

/// <summary>The <c>Dispatch:Http</c> section: outbound HTTP safety and limits.</summary>
internal sealed class HttpDeliveryOptions
{
    public const string Section = "Dispatch:Http";

    /// <summary>Allow <c>http://</c> targets (https only by default).</summary>
    public bool AllowPlainHttp { get; set; }

    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(10);
    public int MaxRequestBodyBytes { get; set; } = 256 * 1024;
    public int MaxResponseBodyBytes { get; set; } = 1024 * 1024;
    public int MaxUrlLength { get; set; } = 8192;
    public int MaxHeaders { get; set; } = 50;
    public int MaxHeaderValueLength { get; set; } = 8192;

    /// <summary>In-flight requests per destination host and port, so one slow endpoint cannot take every consumer slot.</summary>
    public int MaxConcurrencyPerDestination { get; set; } = 32;

    /// <summary>How long a delivery waits for a busy destination's slot before it is deferred (1s) instead.</summary>
    public TimeSpan DestinationWait { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Calls in a row left unanswered (timed out, could not connect) after which a destination's circuit opens and its
    /// deliveries fail fast onto their retry schedules; 0 turns the breaker off. See <see cref="DestinationBreaker"/>.
    /// </summary>
    public int BreakerThreshold { get; set; } = 5;

    /// <summary>How long an open circuit stays open before one probe call is let through.</summary>
    public TimeSpan BreakerOpenFor { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// In-flight requests of one tenant in one worker, so one tenant (a slow endpoint, a flood of events) cannot hold
    /// every send slot: past it, that tenant's deliveries are deferred (not attempted) while the others go on.
    /// </summary>
    public int MaxConcurrencyPerTenant { get; set; } = 64;

    /// <summary>
    /// PEM files of CA certificates trusted for endpoints' server certificates besides the system roots, e.g. an
    /// in-house CA. Host names are checked as always; certificate validation is never switched off.
    /// </summary>
    public string[] TrustedCaCertificates { get; set; } = [];
}
