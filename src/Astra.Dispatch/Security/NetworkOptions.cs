namespace Astra.Dispatch.Security;

/// <summary>
/// The network part of the <c>Dispatch:Http</c> section: which internal networks and which ports outbound actions may
/// reach, by default and per tenant.
/// </summary>
internal sealed class NetworkOptions
{
    /// <summary>The configuration section (shared with the other <c>Dispatch:Http</c> options).</summary>
    public const string Section = "Dispatch:Http";

    /// <summary>
    /// CIDRs exempt from the SSRF guard, e.g. <c>127.0.0.0/8</c> for in-house APIs: the operator's default, for tenants
    /// without a list of their own in <see cref="Tenants"/>.
    /// </summary>
    public string[] AllowedNetworks { get; set; } = [];

    /// <summary>
    /// Ports allowed besides 443 (and 80 where plain HTTP is allowed), as numbers or ranges (<c>8443</c>,
    /// <c>8000-8999</c>): the default for tenants without a list of their own.
    /// </summary>
    public string[] AllowedPorts { get; set; } = [];

    /// <summary>Allow <c>http://</c> targets: port 80 is allowed only then (bound from the same key as the delivery options).</summary>
    public bool AllowPlainHttp { get; set; }

    /// <summary>
    /// Per-tenant lists (<c>Dispatch:Http:Tenants:&lt;tenant&gt;:AllowedNetworks:0</c>): a list given for a tenant replaces
    /// the default for that tenant; <c>none</c> as its only entry grants nothing.
    /// </summary>
    public Dictionary<string, TenantNetworkOptions> Tenants { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One tenant's own network lists; a list left unset falls back to the default.</summary>
internal sealed class TenantNetworkOptions
{
    /// <summary>The private networks this tenant may reach, instead of <see cref="NetworkOptions.AllowedNetworks"/>.</summary>
    public string[]? AllowedNetworks { get; set; }

    /// <summary>The ports this tenant may use besides 443 (and 80), instead of <see cref="NetworkOptions.AllowedPorts"/>.</summary>
    public string[]? AllowedPorts { get; set; }
}
