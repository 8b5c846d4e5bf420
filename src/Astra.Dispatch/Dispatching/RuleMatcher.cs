using Astra.Dispatch.Catalog;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Templating;

namespace Astra.Dispatch.Dispatching;

/// <summary>
/// Whether a rule matches an event. The planner gets the candidates from the rule index (enabled, tenant, type, agent)
/// and asks only the condition here; <see cref="ExplainAsync"/> states every check the same way for dry runs.
/// </summary>
internal sealed class RuleMatcher(LiquidEngine liquid)
{
    /// <summary>Whether the rule's condition holds; a condition that fails to evaluate is a render failure of <c>trigger.when</c>.</summary>
    public async ValueTask<bool> ConditionHoldsAsync(CompiledRule rule, IReadOnlyDictionary<string, object?> model)
    {
        if (rule.Condition is not { } condition)
            return true;
        try
        {
            return await LiquidEngine.EvaluateAsync(condition, liquid.CreateContext(model));
        }
        catch (Exception ex) when (ex is not (OutOfMemoryException or OperationCanceledException))
        {
            throw new RenderException(rule.Id, "trigger.when", ex.Message);
        }
    }

    /// <summary>Every check, in the order the planner applies them; the rule matches when all pass.</summary>
    public async Task<IReadOnlyList<MatchCheck>> ExplainAsync(CompiledRule rule, ConversationEvent e, IReadOnlyDictionary<string, object?> model)
    {
        var checks = new List<MatchCheck>
        {
            new("enabled", rule.Enabled, rule.Enabled ? "rule is enabled" : rule.PausedReason is { } why ? $"rule is paused: {why}" : "rule is disabled"),
            new("tenant", rule.TenantId == e.TenantId, $"rule tenant '{rule.TenantId}', event tenant '{e.TenantId}'"),
            new("type", rule.MatchesType(e.Type), $"event type '{e.Type}' against [{string.Join(", ", rule.Events.Select(p => p.Text))}]"),
            new("agent", rule.AcceptsAgent(e.AgentId),
                rule.AgentId is null ? "rule accepts any agent" : $"rule agent '{rule.AgentId}', event agent '{e.AgentId ?? "(none)"}'"),
        };
        if (rule.Condition is null)
        {
            checks.Add(new("condition", true, "no condition"));
            return checks;
        }
        try
        {
            var holds = await ConditionHoldsAsync(rule, model);
            checks.Add(new("condition", holds, $"{rule.Definition.Trigger.When} is {(holds ? "true" : "false")}"));
        }
        catch (RenderException ex)
        {
            checks.Add(new("condition", false, $"{rule.Definition.Trigger.When} failed: {ex.Message}"));
        }
        return checks;
    }
}

/// <summary>One check of a rule against an event.</summary>
public sealed record MatchCheck(string Name, bool Passed, string Detail);
