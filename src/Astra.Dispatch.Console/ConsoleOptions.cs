namespace Astra.Dispatch.Console;

/// <summary>The <c>Dispatch:Console</c> section: where the API and console listen, and their request limits.</summary>
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
}
