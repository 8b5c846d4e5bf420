namespace Astra.Dispatch.Console;

/// <summary>The <c>Dispatch:Console</c> section: where the API and console listen, their request limits, and the web console's sessions and links.</summary>
internal sealed class ConsoleOptions
{
    public const string Section = "Dispatch:Console";

    /// <summary>Loopback by default: exposing the API is a deliberate act (a reverse proxy, a Kubernetes Service).</summary>
    public const string DefaultUrls = "http://127.0.0.1:5080";

    /// <summary>Where the API, the console, <c>/openapi/v1.json</c>, <c>/health/*</c> and <c>/metrics</c> listen (semicolon-separated).</summary>
    public string Urls { get; set; } = DefaultUrls;

    /// <summary>The largest request body (a rule document, a sample event); larger ones get 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = 256 * 1024;

    /// <summary>Failed authentications one client address may make per <see cref="FailedAuthWindow"/> before it gets 429.</summary>
    public int FailedAuthLimit { get; set; } = 10;

    /// <summary>The window of <see cref="FailedAuthLimit"/>.</summary>
    public TimeSpan FailedAuthWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Where the web console keeps its data-protection key ring (the keys that encrypt sign-in cookies and antiforgery
    /// tokens). Every console replica must read the same folder, and it must outlive restarts, or sessions end whenever
    /// a request reaches another replica or the console restarts. Relative paths are from the working directory.
    /// </summary>
    public string DataProtectionPath { get; set; } = DefaultDataProtectionPath;

    /// <summary>Next to the default database, <c>data/dispatch.db</c>.</summary>
    public const string DefaultDataProtectionPath = "data/console-keys";

    /// <summary>How long a console session lasts without a request (sliding); a revoked key ends it at its next request.</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromHours(8);

    /// <summary>
    /// A trace viewer's URL with <c>{traceId}</c>, e.g. <c>http://localhost:16686/trace/{traceId}</c> (Jaeger): a delivery's
    /// attempts link their trace there. Empty: trace ids are shown without a link.
    /// </summary>
    public string? TraceUrl { get; set; }
}
