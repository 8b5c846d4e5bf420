namespace Astra.Dispatch.Benchmarks;

/// <summary>
/// One workload: <see cref="Tenants"/> tenants, each with <see cref="FanOut"/> rules matching every event (to the
/// healthy endpoint), <see cref="OtherRules"/> rules that never match (other event types), and optionally one rule
/// to an endpoint that hangs until the rule's 2s timeout. A <see cref="Cold"/> scenario gets no warm-up: events arrive
/// as soon as the side is ready, as after a deploy or a scale-out.
/// </summary>
internal sealed record Scenario(string Name, int Events, int Tenants = 1, int FanOut = 1, int OtherRules = 0, bool Hang = false,
    bool Backlog = false, double? PacedPerSecond = null, int Replicas = 1, bool Cold = false)
{
    public static readonly TimeSpan HangTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Deliveries expected at the healthy endpoint.</summary>
    public int Expected => Events * FanOut;

    public static string RuleId(int tenant, string kind, int index) => $"t{tenant:D3}-{kind}-{index:D3}";

    /// <summary>The worker's rules file (JSON), the same targets as <see cref="BaselineRoutes"/>.</summary>
    public string RulesJson(Uri ok, Uri hang)
    {
        var rules = new List<Dictionary<string, object?>>();
        for (var t = 0; t < Tenants; t++)
        {
            var tenant = EventPublisher.TenantOf(t, Tenants);
            for (var k = 0; k < FanOut; k++)
                rules.Add(Rule(RuleId(t, "ok", k), tenant, EventPublisher.EventType, new Uri(ok, $"hook/{k}"), null));
            for (var j = 0; j < OtherRules; j++)
                rules.Add(Rule(RuleId(t, "other", j), tenant, $"other.event-{j}", new Uri(ok, "other"), null));
            if (Hang)
                rules.Add(Rule(RuleId(t, "hang", 0), tenant, EventPublisher.EventType, new Uri(hang, "hang"), "2s"));
        }
        return System.Text.Json.JsonSerializer.Serialize(rules);
    }

    private static Dictionary<string, object?> Rule(string id, string tenant, string eventType, Uri url, string? timeout) => new Dictionary<string, object?>
    {
        ["id"] = id,
        ["tenantId"] = tenant,
        ["trigger"] = new Dictionary<string, object> { ["events"] = new[] { eventType } },
        ["request"] = new Dictionary<string, object?>
        {
            ["method"] = "POST",
            ["url"] = url.AbsoluteUri,
            ["body"] = """{ "sentAt": {{ data.sentAt | json }}, "event": {{ eventId | json }}, "email": {{ data.email | json }}, "name": {{ data.name | json }} }""",
            ["timeout"] = timeout ?? "10s",
        },
    };

    public Dictionary<(string Tenant, string Type), BaselineTarget[]> BaselineRoutes(Uri ok, Uri hang)
    {
        var routes = new Dictionary<(string, string), BaselineTarget[]>();
        for (var t = 0; t < Tenants; t++)
        {
            var tenant = EventPublisher.TenantOf(t, Tenants);
            var targets = Enumerable.Range(0, FanOut).Select(k => new BaselineTarget(new Uri(ok, $"hook/{k}"), RuleId(t, "ok", k), TimeSpan.FromSeconds(10))).ToList();
            if (Hang)
                targets.Add(new BaselineTarget(new Uri(hang, "hang"), RuleId(t, "hang", 0), HangTimeout));
            routes[(tenant, EventPublisher.EventType)] = [.. targets];
            for (var j = 0; j < OtherRules; j++)
                routes[(tenant, $"other.event-{j}")] = [new BaselineTarget(new Uri(ok, "other"), RuleId(t, "other", j), TimeSpan.FromSeconds(10))];
        }
        return routes;
    }
}
