using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Astra.Dispatch.Rules;

namespace Astra.Dispatch.Console.Web;

/// <summary>
/// A sample event for a rule's dry run, built from the rule itself: the type from one of its trigger patterns, and every
/// <c>data.*</c> field its condition and templates read, with a number where the condition compares it with one (so the
/// sample usually matches) and a placeholder text elsewhere.
/// </summary>
internal static partial class SampleEvents
{
    public static string For(RuleDefinition rule, string? eventType = null)
    {
        var type = eventType ?? rule.Trigger.Events.FirstOrDefault() ?? "example.event";
        // A glob names many types: any one of them will do for a sample.
        type = type.Replace("**", "example", StringComparison.Ordinal).Replace("*", "example", StringComparison.Ordinal);
        var data = new JsonObject();
        var texts = new[] { rule.Trigger.When, rule.Request.Url, rule.Request.Body }
            .Concat(rule.Request.Headers?.Values ?? Enumerable.Empty<string>())
            .Concat(rule.Request.Query?.Values ?? Enumerable.Empty<string>())
            .OfType<string>();
        foreach (var text in texts)
        {
            foreach (Match m in FieldPattern().Matches(text))
            {
                var name = m.Groups["name"].Value;
                if (data.ContainsKey(name))
                    continue;
                data[name] = NumberCompared(rule.Trigger.When, name) is { } number ? JsonValue.Create(number) : JsonValue.Create(Placeholder(name));
            }
        }
        var sample = new JsonObject
        {
            ["eventId"] = "evt_dry_run",
            ["type"] = type,
            ["tenantId"] = rule.TenantId,
            ["occurredAt"] = "2026-01-01T12:00:00Z",
            ["conversationId"] = "conv_dry_run",
            ["data"] = data,
        };
        if (rule.AgentId is { } agent)
            sample["agentId"] = agent;
        return sample.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static decimal? NumberCompared(string? condition, string name)
    {
        if (condition is null)
            return null;
        var m = Regex.Match(condition, $@"data\.{Regex.Escape(name)}\s*(?<op>>=|<=|==|!=|>|<)\s*(?<n>-?\d+(?:\.\d+)?)", RegexOptions.None, TimeSpan.FromSeconds(1));
        if (!m.Success)
            return null;
        var n = decimal.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture);
        return m.Groups["op"].Value switch { ">" => n + 1, "<" => n - 1, "!=" => n + 1, _ => n };
    }

    private static string Placeholder(string name) =>
        name.Contains("mail", StringComparison.OrdinalIgnoreCase) ? "ada@example.com"
        : name.Contains("name", StringComparison.OrdinalIgnoreCase) ? "Ada Lovelace"
        : $"example {name}";

    [GeneratedRegex(@"\bdata\.(?<name>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex FieldPattern();
}
