namespace Astra.Dispatch.Security;

/// <summary>The SSRF guard refused a connection: a permanent failure (the address will not become public by retrying).</summary>
internal sealed class SsrfRefusedException(string message) : Exception(message);
