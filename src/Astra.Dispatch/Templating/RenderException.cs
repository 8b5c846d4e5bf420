namespace Astra.Dispatch.Templating;

/// <summary>Rendering failed for this event's data: a permanent failure naming the rule and field, never a secret.</summary>
internal sealed class RenderException(string ruleId, string field, string message)
    : Exception($"rule {ruleId}: {field}: {message}")
{
    public string RuleId { get; } = ruleId;
    public string Field { get; } = field;
}
