namespace Astra.Dispatch.Security;

/// <summary>The network part of the <c>Dispatch:Http</c> section: which internal networks outbound actions may reach.</summary>
internal sealed class NetworkOptions
{
    /// <summary>The configuration section (shared with the other <c>Dispatch:Http</c> options).</summary>
    public const string Section = "Dispatch:Http";

    /// <summary>CIDRs exempt from the SSRF guard, e.g. <c>127.0.0.0/8</c> for in-house APIs.</summary>
    public string[] AllowedNetworks { get; set; } = [];
}
