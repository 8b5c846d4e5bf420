namespace Astra.Dispatch.Templating;

/// <summary>An HTTP request rendered from a rule and an event, before authentication and signing.</summary>
public sealed record RenderedRequest(string Method, string Url, IReadOnlyDictionary<string, string> Headers, string? Body, string ContentType);

/// <summary>Rendering failed for this event's data: a permanent failure naming the rule and field, never a secret.</summary>
public sealed class RenderException(string ruleId, string field, string message)
    : Exception($"rule {ruleId}: {field}: {message}")
{
    public string RuleId { get; } = ruleId;
    public string Field { get; } = field;
}
