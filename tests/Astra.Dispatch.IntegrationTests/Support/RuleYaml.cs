namespace Astra.Dispatch.IntegrationTests.Support;

/// <summary>Small YAML rule builders, so tests state only what they are about.</summary>
internal static class RuleYaml
{
    public const string LeadBody = """{ "email": {{ data.email | json }}, "name": {{ data.name | json }}, "conversation": {{ conversationId | json }} }""";

    /// <summary>A POST rule; <paramref name="extra"/> is more YAML at the rule's top level (e.g. <c>retry: ...</c>).</summary>
    public static string Post(string id, string tenant, Uri url, string events = "[lead.captured]", string? extra = null, string body = LeadBody, bool enabled = true,
        string? timeout = null)
    {
        var lines = new List<string>
        {
            $"- id: {id}",
            $"  tenantId: {tenant}",
            $"  enabled: {(enabled ? "true" : "false")}",
            "  trigger:",
            $"    events: {events}",
            "  request:",
            "    method: POST",
            $"    url: \"{url}\"",
            "    headers:",
            "      X-Source: astra",
            $"    body: '{body.Replace("'", "''", StringComparison.Ordinal)}'",
        };
        if (timeout is not null)
            lines.Add($"    timeout: {timeout}");
        if (extra is not null)
            lines.AddRange(extra.Split('\n').Select(l => "  " + l));
        return string.Join('\n', lines) + "\n";
    }
}
