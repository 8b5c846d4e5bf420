namespace Astra.Dispatch.Security;

/// <summary>What the SSRF guard refused a connection for.</summary>
internal enum SsrfRefusal
{
    /// <summary>The destination's address is internal and not allowed for the tenant.</summary>
    Address,

    /// <summary>The port is not allowed for the tenant (checked before DNS: it tells nothing about the host).</summary>
    Port,

    /// <summary>A request reached the connection pool of another network policy than its tenant's.</summary>
    WrongPool,
}

/// <summary>The SSRF guard refused a connection; the message holds the real reason (for the operator's log).</summary>
internal sealed class SsrfRefusedException(SsrfRefusal refusal, string message) : Exception(message)
{
    public SsrfRefusal Refusal { get; } = refusal;
}
