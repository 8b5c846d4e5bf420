using System.Text;
using System.Text.Json;
using Astra.Dispatch.Catalog;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Matching;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Storage;
using Astra.Dispatch.Templating;

namespace Astra.Dispatch.Dispatching.Warmup;

/// <summary>
/// The planning path of an event, on a made-up event: validation, the model templates see, conditions and renders (of a
/// rule made for the warm-up, and of the first loaded rules, so their filters are compiled too), the command, and
/// the delivery log's reads. Nothing is written or sent.
/// </summary>
internal sealed class PlanningWarmup(RuleCompilerFactory compilers, RuleCatalog catalog, RuleMatcher matcher, RequestRenderer renderer, IDeliveryLog log,
    TimeProvider time) : IWarmupStep
{
    /// <summary>How many of the loaded rules are rendered: enough to meet the filters in use, few enough to stay quick with 10,000 rules.</summary>
    internal const int LoadedRules = 10;

    private const string Tenant = "astra-warmup";

    private static readonly RuleDefinition Rule = new()
    {
        Id = "warmup",
        TenantId = Tenant,
        Trigger = new TriggerDefinition { Events = ["lead.captured"], When = "data.score >= 50 and data.email != blank" },
        Request = new RequestDefinition
        {
            Method = "POST",
            Url = "https://warmup.invalid/hooks/{{ data.plan | downcase }}",
            Headers = new Dictionary<string, string> { ["X-Event"] = "{{ eventId }}" },
            Query = new Dictionary<string, string> { ["source"] = "{{ agentId | default: 'agent' }}" },
            Body = """
                { "event": {{ eventId | json }}, "name": {{ data.name | json }}, "email": {{ data.email | downcase | json }},
                  "score": {{ data.score }}, {% if data.plan %}"plan": {{ data.plan | upcase | json }},{% endif %}
                  "tags": [{% for tag in data.tags %}{{ tag | json }}{% unless forloop.last %},{% endunless %}{% endfor %}],
                  "at": {{ occurredAt | json }} }
                """,
        },
    };

    public string Name => "planning";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(
            """
            {"eventId":"evt_warmup","type":"lead.captured","tenantId":"astra-warmup","agentId":"sales-assistant","conversationId":"conv_warmup",
             "data":{"name":"Ada Lovelace","email":"Ada@Example.com","score":87,"plan":"Enterprise","tags":["a","b"]},"metadata":{"channel":"web"}}
            """);
        var e = JsonSerializer.Deserialize<ConversationEvent>(body, JsonSerializerOptions.Web)!;
        _ = EventValidator.Validate(e, body.Length);
        var occurredAt = time.GetUtcNow();
        var model = EventModel.From(e, occurredAt);
        var raw = EventModel.RawJson(e, occurredAt);
        var errors = new List<RuleError>();
        var own = compilers.ForRuntime().Compile(Rule, 1, enabled: true, pausedReason: null, "warmup", errors);
        var rules = catalog.Current.All.Where(r => r.Enabled).Take(LoadedRules).Prepend(own).OfType<CompiledRule>();
        var deliveryIds = new List<string>();
        foreach (var rule in rules)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await matcher.ConditionHoldsAsync(rule, model);
                var request = await renderer.RenderAsync(rule, model, raw);
                var command = DeliveryCommands.Create(e, occurredAt, rule, request, DeliveryId.For(Tenant, e.EventId, rule.Id));
                deliveryIds.Add(command.DeliveryId);
            }
            catch (Exception ex) when (ex is RenderException or TemplateLimitException)
            {
                // A loaded rule that cannot render the made-up event: its path is compiled all the same.
            }
        }
        await log.FindExistingAsync(deliveryIds, cancellationToken);
        if (deliveryIds.Count > 0)
            await log.GetStatusAsync(deliveryIds[0], cancellationToken);
    }
}
