using Astra.Dispatch.Catalog;
using Astra.Dispatch.Rules;

namespace Astra.Dispatch.Tests.Support;

/// <summary>Rule definitions built in code: a valid rule of one tenant, changed with <c>with</c>-style helpers.</summary>
internal static class ARule
{
    public const string Url = "https://crm.example.com/api/leads";

    public static RuleDefinition For(string id = "r1", string tenant = "acme", params string[] events) => new()
    {
        Id = id,
        TenantId = tenant,
        Trigger = new TriggerDefinition { Events = events.Length > 0 ? [.. events] : ["lead.captured"] },
        Request = new RequestDefinition { Method = "POST", Url = Url, Body = """{ "email": {{ data.email | json }} }""" },
    };

    public static RuleDefinition When(this RuleDefinition rule, string condition) => rule with { Trigger = rule.Trigger with { When = condition } };

    public static RuleDefinition ForAgent(this RuleDefinition rule, string agentId) => rule with { AgentId = agentId };

    public static RuleDefinition To(this RuleDefinition rule, string url) => rule with { Request = rule.Request with { Url = url } };

    public static RuleDefinition WithBody(this RuleDefinition rule, string? body) => rule with { Request = rule.Request with { Body = body } };

    public static RuleDefinition WithHeader(this RuleDefinition rule, string name, string value) =>
        rule with { Request = rule.Request with { Headers = new(rule.Request.Headers ?? [], StringComparer.OrdinalIgnoreCase) { [name] = value } } };

    public static RuleDefinition WithAuth(this RuleDefinition rule, string type, string secret, string? name = null, string? username = null) =>
        rule with { Auth = new AuthDefinition { Type = type, Secret = secret, Name = name, Username = username } };

    public static RuleDefinition SignedWith(this RuleDefinition rule, string secret) => rule with { Signing = new SigningDefinition { Secret = secret } };

    public static RuleDefinition RetryingAfter(this RuleDefinition rule, params string[] schedule) =>
        rule with { Retry = new RetryDefinition { Schedule = [.. schedule] } };

    public static RuleDefinition LimitedTo(this RuleDefinition rule, string rate) => rule with { RateLimit = rate };

    public static RuleDefinition CapturingResponse(this RuleDefinition rule) => rule with { CaptureResponse = true };

    /// <summary>Compiles the rule as the runtime does; throws with every error when it is not valid.</summary>
    public static CompiledRule Compile(this RuleDefinition rule, bool enabled = true, string? pausedReason = null)
    {
        var errors = new List<RuleError>();
        return new RuleCompiler(new RuleLimits()).Compile(rule, 1, enabled, pausedReason, "test", errors) ?? throw new RuleValidationException(errors);
    }
}
