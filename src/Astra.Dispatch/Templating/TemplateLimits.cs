namespace Astra.Dispatch.Templating;

/// <summary>
/// The <c>Dispatch:Templates</c> section: every bound on a rule's Liquid templates and conditions, in one place.
/// Rule authors are tenants, so each template is hostile input: the source is bounded before it is parsed, and
/// every render is bounded in work, memory and time. A template over a limit is a validation error at import
/// where that can be seen in its text, otherwise a permanent failure of the delivery naming the rule and field.
/// </summary>
public sealed class TemplateLimits
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Dispatch:Templates";

    /// <summary>Characters of one template (URL, header or query value, body), checked before parsing.</summary>
    public int MaxTemplateChars { get; set; } = 64 * 1024;

    /// <summary>Characters of a <c>trigger.when</c> condition, checked before parsing.</summary>
    public int MaxConditionChars { get; set; } = 4 * 1024;

    /// <summary>
    /// Nesting of block tags (<c>if</c>, <c>for</c>, <c>case</c>, <c>capture</c>, …) and of brackets inside one tag
    /// or output, found by a scan before parsing: deep nesting would exhaust the stack of the parser or the renderer.
    /// </summary>
    public int MaxNestingDepth { get; set; } = 32;

    /// <summary>Statements and loop iterations of one request's render (all its templates together).</summary>
    public int MaxSteps { get; set; } = 100_000;

    /// <summary>Nested scopes (loops) entered while rendering.</summary>
    public int MaxRecursion { get; set; } = 20;

    /// <summary>
    /// Characters one template may produce, and the size of any string it builds on the way (<c>append</c>,
    /// <c>capture</c>, …). URLs, headers and bodies are held to their own, smaller <c>Dispatch:Http</c> limits too.
    /// </summary>
    public int MaxOutputChars { get; set; } = 1024 * 1024;

    /// <summary>Items a range (<c>(1..n)</c>) or a filter (<c>split</c>, <c>concat</c>, …) may materialise.</summary>
    public int MaxCollectionSize { get; set; } = 10_000;

    /// <summary>
    /// Bytes one request's render (or one condition) may allocate in all, checked at every assign, capture and output:
    /// each string is bounded by <see cref="MaxOutputChars"/>, but a loop could build one on every pass.
    /// </summary>
    public long MaxAllocatedBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Wall-clock budget of one request's render or one condition, whatever the limits above let through.</summary>
    public TimeSpan RenderTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Null when the limits can be used; otherwise the reason.</summary>
    public string? Validate() =>
        MaxTemplateChars <= 0 || MaxConditionChars <= 0 || MaxSteps <= 0 || MaxRecursion <= 0 || MaxOutputChars <= 0 || MaxCollectionSize <= 0 || MaxAllocatedBytes <= 0
            ? "Dispatch:Templates limits must be positive"
            : MaxNestingDepth is < 1 or > LiquidEngine.MaxSupportedNesting
                ? $"Dispatch:Templates:MaxNestingDepth must be between 1 and {LiquidEngine.MaxSupportedNesting}"
                : RenderTimeout <= TimeSpan.Zero ? "Dispatch:Templates:RenderTimeout must be positive" : null;
}
