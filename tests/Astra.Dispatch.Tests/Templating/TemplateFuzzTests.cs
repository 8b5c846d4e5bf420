using System.Text;
using System.Text.Json;
using System.Web;
using Astra.Dispatch.Catalog;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Templating;
using Astra.Dispatch.Tests.Support;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Astra.Dispatch.Tests.Templating;

/// <summary>
/// Generated hostile rules and events through the compiler and the renderer, seeded and deterministic: deep nesting
/// of tags and brackets, doubling with append and capture in loops, huge ranges, raw, json in URLs, removed tags,
/// broken syntax, and data full of quotes, backslashes, control characters, JSON and URL syntax, odd Unicode and
/// large strings. Every case must end in a compiled rule or RuleErrors with a field path, then in a request or a
/// RenderException with a field; no other exception, no render allocating more than the budget allows (time is
/// bounded by the render deadline, not asserted); a JSON body always parses and its keys are the template's own;
/// a form body has the template's fields only; a URL keeps the rule's host.
/// </summary>
public sealed class TemplateFuzzTests(ITestOutputHelper output)
{
    private const int Cases = 1500;
    private const int Seed = 20261201;

    // The allocation budget (64 MiB) is checked after each assign, capture and output, so a render may pass it by what
    // one such step allocates: at most a few strings of the output limit.
    private const long MaxAllocatedBytes = 96L * 1024 * 1024;

    private static readonly HashSet<string> LiteralKeys = ["k0", "k1", "k2", "k3", "k4", "k5", "n0"];

    private static readonly string[] Hostile =
    [
        "\"", "\\", "\\\"", "\", \"admin\": true, \"x\": \"", "}", "{", "]", "[", ",", ":", "\"}, {\"admin\": 1, \"y\": {\"",
        "\u0000", "\u0001\u001f", "\r\nX-Injected: 1", "\t", "\u2028\u2029", "\u202e", "🚀", "日本語", "é", "\ud800", "\udc00x",
        "{{ data.s }}", "{% if true %}", "&admin=1", "=", "%00", "%26", "+", "/../admin", "@evil.example.org", "#frag", "?q=1",
        "<script>", "'", "null", "true", "1e400", "-0", " ", "",
    ];

    private static readonly string[] Expressions =
    [
        "data.s", "data.list[0]", "data.list", "data.obj.a", "data.obj", "data.big", "data.n", "data.missing", "'lit\"eral'", "data.s | upcase",
        "data.s | append: data.list[1]", "data.list | join: data.s", "data.s | split: ','", "data.s | escape", "data.s | raw", "data.s | strip",
        "data.s | replace: 'a', data.list[0]", "data.s | truncate: 3", "data.s | url_encode", "data.n | plus: 1", "eventId", "type",
    ];

    [Fact]
    public void CompileAndRender_HostileRulesAndEvents_BoundedAndEveryRefusalNamesAField()
    {
        var random = new Random(Seed);
        // A shorter deadline than the default keeps the test quick on a busy machine; it is what bounds time here.
        var liquid = new LiquidEngine(Options.Create(new TemplateLimits { RenderTimeout = TimeSpan.FromMilliseconds(500) }), TimeProvider.System);
        var renderer = new RequestRenderer(liquid, Some.Http());
        var compiler = new RuleCompiler(new RuleLimits());
        var problems = new List<string>();
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        long mostAllocated = 0;

        for (var i = 0; i < Cases; i++)
        {
            var (definition, kind) = Rule(random, i);
            var model = Model(random);
            var (outcome, allocated) = Run(compiler, renderer, liquid, definition, kind, model, problems, $"case {i} ({kind})");
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            mostAllocated = Math.Max(mostAllocated, allocated);
        }
        output.WriteLine($"{Cases} cases, seed {Seed}: {string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal))}; most allocated by one render: {mostAllocated / 1024} KiB");

        Assert.True(problems.Count == 0, string.Join("\n----\n", problems.Take(10)));
        // The generator must reach every path, or the test proves less than it says.
        foreach (var outcome in (string[])["refused at import", "json rendered", "form rendered", "url rendered", "refused at render"])
            Assert.True(outcomes.GetValueOrDefault(outcome) >= 50, $"only {outcomes.GetValueOrDefault(outcome)} cases {outcome}: {string.Join(", ", outcomes)}");
    }

    private static (string Outcome, long Allocated) Run(RuleCompiler compiler, RequestRenderer renderer, LiquidEngine liquid, RuleDefinition definition, string kind,
        Dictionary<string, object?> model, List<string> problems, string name)
    {
        var errors = new List<RuleError>();
        CompiledRule? rule;
        try
        {
            rule = compiler.Compile(definition, 1, true, null, "fuzz.yaml", errors);
        }
        catch (Exception ex)
        {
            problems.Add($"{name}: compile threw {ex.GetType().Name}: {ex.Message}\n{Preview(definition)}");
            return ("crashed", 0);
        }
        if (rule is null)
        {
            if (errors.Count == 0 || errors.Any(e => string.IsNullOrEmpty(e.Path) || string.IsNullOrWhiteSpace(e.Message)))
                problems.Add($"{name}: refused without a field path: {string.Join("; ", errors)}");
            return ("refused at import", 0);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var outcome = "crashed";
        try
        {
            if (rule.Condition is { } condition)
            {
                var holds = LiquidEngine.EvaluateAsync(condition, liquid.CreateContext(model));
                Assert.True(holds.IsCompleted);
                holds.AsTask().GetAwaiter().GetResult();
            }
            var task = renderer.RenderAsync(rule, model, new Lazy<string>(() => "{}"));
            if (!task.IsCompleted)
                problems.Add($"{name}: the render went asynchronous; its allocations would not be counted");
            var request = task.AsTask().GetAwaiter().GetResult();
            Check(request, kind, problems, name);
            outcome = kind + " rendered";
        }
        catch (RenderException ex)
        {
            if (string.IsNullOrEmpty(ex.Field) || ex.RuleId != "fuzz")
                problems.Add($"{name}: RenderException without rule or field: {ex.Message}");
            outcome = "refused at render";
        }
        catch (Exception ex)
        {
            problems.Add($"{name}: render threw {ex.GetType().Name}: {ex.Message}\n{Preview(definition)}");
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (allocated > MaxAllocatedBytes)
            problems.Add($"{name}: allocated {allocated} bytes\n{Preview(definition)}");
        return (outcome, allocated);
    }

    private static void Check(RenderedRequest request, string kind, List<string> problems, string name)
    {
        var url = new Uri(request.Url);
        if (url.Host != "api.example.com" || url.Port != 443 || url.Scheme != "https")
            problems.Add($"{name}: URL left the rule's origin: {request.Url}");
        switch (kind)
        {
            case "json":
                using (var body = JsonDocument.Parse(request.Body!))
                {
                    foreach (var key in Keys(body.RootElement).Where(k => !LiteralKeys.Contains(k)))
                        problems.Add($"{name}: key '{key}' is not in the template: {request.Body![..Math.Min(300, request.Body!.Length)]}");
                }
                break;
            case "form":
                var form = HttpUtility.ParseQueryString(request.Body!);
                foreach (var key in form.AllKeys.Where(k => k is not ("a" or "b" or "source")))
                    problems.Add($"{name}: form field '{key}' is not in the template: {request.Body}");
                break;
        }
        foreach (var (header, value) in request.Headers)
        {
            if (value.Any(c => c is '\r' or '\n'))
                problems.Add($"{name}: header {header} holds CR/LF");
        }
    }

    private static IEnumerable<string> Keys(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Keys(p.Value).Prepend(p.Name)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Keys),
        _ => [],
    };

    private static (RuleDefinition Definition, string Kind) Rule(Random random, int index)
    {
        var kind = (index % 10) switch { < 6 => "json", < 8 => "form", _ => "url" };
        var definition = kind switch
        {
            "json" => Some.Definition(body: JsonBody(random)),
            "form" => Some.Definition(body: FormBody(random), contentType: "application/x-www-form-urlencoded"),
            _ => Some.Definition(url: Url(random), body: "{}"),
        };
        if (random.Next(4) == 0)
            definition = definition with { Trigger = definition.Trigger with { When = Condition(random) } };
        if (random.Next(5) == 0)
            definition = definition with { Request = definition.Request with { Headers = new() { ["X-V"] = Value(random, quoted: false) } } };
        return (definition with { Id = "fuzz" }, kind);
    }

    private static string JsonBody(Random random)
    {
        var keys = Enumerable.Range(0, random.Next(1, 5)).Select(k => $"k{k}");
        var body = "{ " + string.Join(", ", keys.Select(k => $"\"{k}\": {JsonValue(random)}")) + ", \"n0\": { \"k5\": " + JsonValue(random) + " } }";
        return Wrap(random, body);
    }

    private static string JsonValue(Random random) => random.Next(4) switch
    {
        0 => "\"" + Value(random, quoted: true) + "\"",
        // | json writes one whole value: an object's keys would be the data's own, by design, so objects stay out here.
        1 => "{{ " + Pick(random, Expressions.Where(e => e != "data.obj").ToArray()) + " | json }}",
        2 => Value(random, quoted: false),
        _ => Nested(random, "[" + (random.Next(2) == 0 ? "{{ data.list | json }}" : "\"{{ " + Pick(random, Expressions) + " }}\"") + "]"),
    };

    private static string FormBody(Random random) =>
        Wrap(random, $"a={Value(random, quoted: false)}&b={{{{ {Pick(random, Expressions)} | url_encode }}}}&source=astra");

    private static string Url(Random random) => random.Next(8) switch
    {
        0 => "https://{{ data.s }}/x",
        1 => "https://api.example.com{{ data.s }}",
        2 => "https://api.example.com:{{ data.n }}/",
        3 => "https://api.example.com/find?q={{ " + Pick(random, Expressions) + " | json }}",
        4 => "https://api.example.com/u/{{ " + Pick(random, Expressions) + " }}/x",
        5 => "https://api.example.com/" + Value(random, quoted: false),
        6 => "https://api.example.com/?" + string.Concat(Enumerable.Repeat("a[", random.Next(1, 60))) + "{{ data.s }}",
        _ => "https://api.example.com/{{ data.list }}#{{ data.s | raw }}",
    };

    private static string Condition(Random random) => random.Next(6) switch
    {
        0 => "data.n > 5",
        1 => "(1..data.n) contains 3",
        2 => $"(1..{random.Next(1, 100_000_000)}) contains 3",
        3 => "data." + string.Concat(Enumerable.Repeat("list[", random.Next(1, 100))) + "0" + new string(']', random.Next(1, 100)) + " == 1",
        4 => string.Join(" or ", Enumerable.Repeat("data.s == 'x'", random.Next(1, 300))),
        _ => "data.s contains '\"' and data.missing == blank",
    };

    /// <summary>A template fragment that writes a value, from the plain to the hostile.</summary>
    private static string Value(Random random, bool quoted)
    {
        var e = Pick(random, Expressions);
        return random.Next(16) switch
        {
            0 => $"{{{{ {e} }}}}",
            1 => $"{{{{ {e} | raw }}}}",
            2 => $"{{{{ {e} | escape_once }}}}",
            3 => $"{{% capture c %}}{{{{ {e} }}}}{{% endcapture %}}{{{{ c | append: {Pick(random, Expressions)} }}}}",
            4 => $"{{% for x in data.list %}}{{{{ x }}}}{{% endfor %}}",
            5 => $"{{% assign s = {e} %}}{{% for i in (1..{random.Next(1, 45)}) %}}{{% assign s = s | append: s %}}{{% endfor %}}{{{{ s }}}}",
            6 => $"{{% capture s %}}x{{% endcapture %}}{{% for i in (1..{random.Next(1, 45)}) %}}{{% capture s %}}{{{{ s }}}}{{{{ s }}}}{{% endcapture %}}{{% endfor %}}{{{{ s | size }}}}",
            7 => $"{{% for i in (1..{Pick(random, [3, 100, 10_000, 10_001, 10_000_000, 2_000_000_000])}) %}}{{{{ i }}}}{{% endfor %}}",
            8 => "{% for i in (1..data.n) %}{{ i }}{% endfor %}",
            9 => $"{{% for i in (1..9000) %}}{{% assign t = data.big | append: i %}}{{% endfor %}}{{{{ t | size }}}}",
            10 => $"{{% {Pick(random, ["cycle 'a', 'b'", "tablerow i in (1..2)", "ifchanged", "liquid echo 1", "include 'x'", "render 'y'"])} %}}",
            11 => $"{{{{ {e} | {Pick(random, ["nosuchfilter", "json | raw", "raw | upcase", "default: '\"'", "slice: 0, 1"])} }}}}",
            12 => "{{ " + string.Concat(Enumerable.Repeat("data.list[", random.Next(1, 80))) + "0" + new string(']', random.Next(1, 80)) + " }}",
            13 => Junk(random),
            14 => quoted ? $"{{% echo {e} %}}" : "{{ data.n }}",
            _ => $"{{% if {e} contains '\"' %}}{{{{ {e} }}}}{{% else %}}{{{{ {Pick(random, Expressions)} }}}}{{% endif %}}",
        };
    }

    /// <summary>Sometimes nests a fragment in many block tags or comments.</summary>
    private static string Nested(Random random, string inner) => random.Next(8) switch
    {
        0 => Some.Nested(random.Next(1, 40), "{%if true%}", "{%endif%}", inner),
        1 => Some.Nested(random.Next(1, 3000), "{%if x%}", "{%endif%}", inner),
        2 => Some.Nested(random.Next(1, 40), "{% for i in (1..1) %}", "{% endfor %}", inner),
        3 => Some.Nested(random.Next(1, 2000), "{%comment%}", "{%endcomment%}", inner),
        _ => inner,
    };

    private static string Wrap(Random random, string body) => random.Next(6) == 0 ? Nested(random, body) : body;

    private static string Junk(Random random)
    {
        var sb = new StringBuilder("{{ data.s ");
        const string Syntax = "{}%|'\"<>[]().";
        for (var i = random.Next(1, 12); i > 0; i--)
            sb.Append(Syntax[random.Next(Syntax.Length)]);
        return sb.Append(random.Next(2) == 0 ? " }}" : " {%").ToString();
    }

    private static Dictionary<string, object?> Model(Random random)
    {
        string Hostile() => string.Concat(Enumerable.Range(0, random.Next(1, 6)).Select(_ => TemplateFuzzTests.Hostile[random.Next(TemplateFuzzTests.Hostile.Length)]));
        var data = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["s"] = Hostile(),
            ["list"] = Enumerable.Range(0, random.Next(0, 5)).Select(_ => (object?)Hostile()).ToList(),
            ["obj"] = new Dictionary<string, object?>(StringComparer.Ordinal) { ["a"] = Hostile(), ["admin"] = true },
            ["n"] = Pick(random, new object?[] { 5L, -3L, 0L, 10_000L, 10_001L, 10_000_000L, long.MaxValue, 1.5m, "7", "x\"", null }),
            ["big"] = random.Next(3) == 0 ? new string('b', random.Next(1000, 300_000)) + Hostile() : Hostile(),
        };
        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["eventId"] = "evt_" + Hostile(),
            ["type"] = "lead.captured",
            ["tenantId"] = "acme",
            ["data"] = data,
            ["metadata"] = new Dictionary<string, object?>(),
        };
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static string Preview(RuleDefinition definition)
    {
        var text = $"url: {definition.Request.Url}\nwhen: {definition.Trigger.When}\nbody: {definition.Request.Body}";
        return text.Length > 600 ? text[..600] + "…" : text;
    }
}
