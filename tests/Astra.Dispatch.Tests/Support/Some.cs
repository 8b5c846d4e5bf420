using System.Text.Json;
using Astra.Dispatch.Catalog;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Secrets;
using Astra.Dispatch.Telemetry;
using Astra.Dispatch.Templating;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Tests.Support;

/// <summary>Test data builders: rules from YAML snippets, events from anonymous data, secrets in a temp folder.</summary>
internal static class Some
{
    /// <summary>The worker's telemetry on a meter factory of its own.</summary>
    public static DispatchTelemetry Telemetry() =>
        new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());

    public static CompiledRule Rule(string yaml, bool allowPlainHttp = false)
    {
        var errors = new List<RuleError>();
        var definitions = RuleDocumentReader.Read(yaml, "test.yaml", errors);
        var rule = errors.Count == 0 ? new RuleCompiler(new RuleLimits { AllowPlainHttp = allowPlainHttp }).Compile(definitions[0], 1, true, null, "test.yaml", errors) : null;
        return rule ?? throw new RuleValidationException(errors);
    }

    public static CompiledRule PostRule(string? extra = null, string url = "https://api.example.com/hook", string? body = null) => Rule($$"""
        id: r1
        tenantId: acme
        trigger: { events: [lead.captured] }
        request:
          method: POST
          url: "{{url}}"
        {{(body is null ? "" : "  body: " + JsonSerializer.Serialize(body))}}
        {{extra ?? ""}}
        """);

    /// <summary>A rule definition built in code, so hostile template text needs no YAML quoting.</summary>
    public static RuleDefinition Definition(string url = "https://api.example.com/hook", string? body = null, string? contentType = null,
        string? when = null, IEnumerable<string>? events = null, Dictionary<string, string>? headers = null) => new()
    {
        Id = "r1",
        TenantId = "acme",
        Trigger = new TriggerDefinition { Events = [.. events ?? ["lead.captured"]], When = when },
        Request = new RequestDefinition { Method = "POST", Url = url, Body = body, ContentType = contentType, Headers = headers },
    };

    /// <summary>The errors compiling <paramref name="definition"/> reports (none for a valid rule).</summary>
    public static List<RuleError> Errors(RuleDefinition definition, RuleLimits? limits = null)
    {
        var errors = new List<RuleError>();
        new RuleCompiler(limits ?? new RuleLimits()).Compile(definition, 1, true, null, "test.yaml", errors);
        return errors;
    }

    public static CompiledRule Compile(RuleDefinition definition, RuleLimits? limits = null)
    {
        var errors = new List<RuleError>();
        return new RuleCompiler(limits ?? new RuleLimits()).Compile(definition, 1, true, null, "test.yaml", errors) ?? throw new RuleValidationException(errors);
    }

    public static CompiledRule JsonBodyRule(string body) => Compile(Definition(body: body));

    public static ConversationEvent Event(object? data = null, string type = "lead.captured") => new()
    {
        EventId = "evt_1",
        Type = type,
        TenantId = "acme",
        AgentId = "sales",
        ConversationId = "conv_1",
        OccurredAt = new DateTimeOffset(2026, 11, 29, 10, 15, 0, TimeSpan.Zero),
        Data = JsonSerializer.SerializeToElement(data ?? new { }),
    };

    public static Dictionary<string, object?> Model(ConversationEvent e) => EventModel.From(e, e.OccurredAt!.Value);

    public static Dictionary<string, object?> Model(object data) => Model(Event(data));

    public static IOptions<HttpDeliveryOptions> Http(bool allowPlainHttp = false) =>
        Options.Create(new HttpDeliveryOptions { AllowPlainHttp = allowPlainHttp });

    public static async Task<RenderedRequest> RenderAsync(CompiledRule rule, ConversationEvent e, bool allowPlainHttp = false) =>
        await new RequestRenderer(new LiquidEngine(), Http(allowPlainHttp)).RenderAsync(rule, Model(e), new Lazy<string>(() => JsonSerializer.Serialize(e, JsonSerializerOptions.Web)));

    /// <summary>Nests <paramref name="depth"/> copies of <paramref name="open"/> … <paramref name="close"/> around <paramref name="inner"/>.</summary>
    public static string Nested(int depth, string open, string close, string inner = "x") =>
        string.Concat(Enumerable.Repeat(open, depth)) + inner + string.Concat(Enumerable.Repeat(close, depth));
}

/// <summary>
/// A secrets folder in a temp directory, deleted afterwards (no process-wide environment variables). The secrets given
/// are tenant acme's (<c>Folder/acme/NAME</c>), the tenant of <see cref="Some"/>'s rules; <see cref="Add"/> writes others.
/// </summary>
internal sealed class TempSecrets : IDisposable
{
    public const string Tenant = "acme";

    public TempSecrets(params (string Name, string Value)[] secrets)
    {
        Folder = Directory.CreateTempSubdirectory("astra-secrets-").FullName;
        foreach (var (name, value) in secrets)
            Add(Tenant, name, value);
        Store = new SecretStore(Options.Create(new DispatchOptions { SecretsPath = Folder }));
    }

    public string Folder { get; }

    /// <summary>Writes <paramref name="tenant"/>'s secret file <paramref name="name"/> (with the trailing newline of a Kubernetes secret file).</summary>
    public void Add(string tenant, string name, string value)
    {
        Directory.CreateDirectory(Path.Combine(Folder, tenant));
        File.WriteAllText(Path.Combine(Folder, tenant, name), value + "\n");
    }

    public SecretStore Store { get; }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
