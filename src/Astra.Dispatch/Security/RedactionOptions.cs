namespace Astra.Dispatch.Security;

/// <summary>The redaction part of the <c>Dispatch:Http</c> section.</summary>
public sealed class RedactionOptions
{
    /// <summary>The configuration section (shared with the other <c>Dispatch:Http</c> options).</summary>
    public const string Section = "Dispatch:Http";

    /// <summary>Header names masked in logs, traces, the attempt log and CLI output, besides the built-in ones.</summary>
    public string[] RedactHeaders { get; set; } = [];
}
