using System.Text;
using Astra.Dispatch.Catalog;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Storage.Sqlite;
using Astra.Dispatch.Tests.Support;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Tests.Rules;

/// <summary>Malformed rule files of every kind: each must be refused with a RuleValidationException, never another exception.</summary>
public sealed class RuleFuzzTests : IDisposable
{
    private const string ValidYaml = """
        id: crm-new-lead
        tenantId: acme
        trigger:
          events: [lead.captured]
          when: "data.score >= 50"
        request:
          method: POST
          url: "https://crm.example.com/api/leads"
          headers: { X-Source: astra }
          body: '{ "email": {{ data.email | json }} }'
          timeout: 10s
        auth: { type: bearer, secret: CRM_TOKEN }
        retry: { schedule: [5s, 5m] }
        rateLimit: 20/s
        """;

    private readonly TempSecrets _secrets = new(("CRM_TOKEN", "tok-crm-1"));
    private readonly RuleImporter _importer;

    public RuleFuzzTests()
    {
        var dispatch = Options.Create(new DispatchOptions { SecretsPath = _secrets.Folder, Database = "unused.db" });
        _importer = new RuleImporter(new RuleCompilerFactory(new RuleLimits { MaxRulesPerTenant = dispatch.Value.MaxRulesPerTenant }, _secrets.Store),
            new SqliteRuleStore(new SqliteDatabase(dispatch, TimeProvider.System), TimeProvider.System));
    }

    public void Dispose() => _secrets.Dispose();

    [Fact]
    public void ValidateText_TheSeedRule_IsValid() => Assert.Single(_importer.ValidateText(ValidYaml, "rules.yaml"));

    [Fact]
    public void ValidateText_HundredsOfMalformedFiles_EachRefusedWithRuleValidationException()
    {
        var files = MalformedFiles(new Random(4242)).ToList();
        Assert.True(files.Count >= 200, $"only {files.Count} files generated");
        var wrong = new List<string>();
        foreach (var (text, source) in files)
        {
            try
            {
                _importer.ValidateText(text, source);
                wrong.Add($"accepted: {Preview(text)}");
            }
            catch (RuleValidationException ex)
            {
                Assert.NotEmpty(ex.Errors);
                Assert.All(ex.Errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Message)));
            }
            catch (Exception ex)
            {
                wrong.Add($"{ex.GetType().Name}: {ex.Message} for {Preview(text)}");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n----\n", wrong));
    }

    private static string Preview(string text) => text.Length > 600 ? text[..600] + "…" : text;

    private static IEnumerable<(string Text, string Source)> MalformedFiles(Random random)
    {
        var json = System.Text.Json.JsonSerializer.Serialize(System.Text.Json.Nodes.JsonNode.Parse(
            System.Text.Json.JsonSerializer.Serialize(YamlLike())));
        // Random bytes as text, for both parsers.
        for (var i = 0; i < 40; i++)
        {
            var bytes = new byte[random.Next(1, 400)];
            random.NextBytes(bytes);
            var text = Encoding.UTF8.GetString(bytes);
            yield return (text, "random.yaml");
            yield return (text, "random.json");
        }
        // Truncations of a valid JSON rule (always unbalanced).
        for (var i = 0; i < 40; i++)
            yield return (json[..random.Next(1, json.Length - 1)], "cut.json");
        // Wrong types for fields.
        (string Path, string Value)[] wrongTypes =
        [
            ("id", "[1]"), ("id", "{a: 1}"), ("tenantId", "[acme]"), ("enabled", "maybe"), ("enabled", "[true]"),
            ("trigger", "lead.captured"), ("trigger", "[1, 2]"), ("request", "https://x.example.com"), ("request", "[]"),
            ("auth", "bearer"), ("auth", "[bearer]"), ("signing", "SIGN"), ("retry", "5s"), ("retry", "[5s]"),
            ("rateLimit", "[20/s]"), ("rateLimit", "{n: 20}"), ("captureResponse", "often"), ("responseMap", "[id]"),
            ("redact", "data.phone"), ("redact", "{a: b}"), ("name", "{a: b}"), ("agentId", "[a]"),
        ];
        foreach (var (path, value) in wrongTypes)
            yield return (ValidYaml + $"\n{path}: {value}", "types.yaml");
        foreach (var (path, value) in new[] { ("events", "lead.captured"), ("events", "{a: b}"), ("when", "[x]") })
            yield return (ValidYaml.Replace("trigger:\n", $"trigger:\n  {path}x: 1\n", StringComparison.Ordinal) + "", "types.yaml");
        // Unknown fields at every level.
        foreach (var (anchor, field) in new[] { ("id: crm-new-lead\n", "colour: blue\n"), ("  method: POST\n", "  verb: POST\n"), ("trigger:\n", "  event: x\n") })
            yield return (ValidYaml.Replace(anchor, anchor + field, StringComparison.Ordinal), "unknown.yaml");
        yield return (ValidYaml.Replace("auth: { type: bearer, secret: CRM_TOKEN }", "auth: { type: bearer, secret: CRM_TOKEN, token: abc }", StringComparison.Ordinal), "unknown.yaml");
        // Bad values: ids, events, methods, URLs, durations, rates, auth types, templates, missing secrets.
        (string From, string To)[] badValues =
        [
            ("id: crm-new-lead", "id: Crm_New Lead"), ("id: crm-new-lead", "id: ''"), ("id: crm-new-lead", "id: " + new string('a', 101)),
            ("tenantId: acme", "tenantId: ''"), ("events: [lead.captured]", "events: []"), ("events: [lead.captured]", "events: [Lead.Captured]"),
            ("events: [lead.captured]", "events: ['lead captured']"), ("method: POST", "method: TRACE"), ("method: POST", "method: CONNECT"),
            ("https://crm.example.com/api/leads", "ftp://crm.example.com"), ("https://crm.example.com/api/leads", "//crm.example.com"),
            ("https://crm.example.com/api/leads", "http://crm.example.com"), ("https://crm.example.com/api/leads", "https://x.example.com/" + new string('a', 9000)),
            ("https://crm.example.com/api/leads", "{{ data.url }}"), ("https://crm.example.com/api/leads", "https://x.example.com/{{ data.x "),
            ("timeout: 10s", "timeout: 10"), ("timeout: 10s", "timeout: -5s"), ("timeout: 10s", "timeout: 1y"), ("timeout: 10s", "timeout: 0s"),
            ("timeout: 10s", "timeout: 3h"), ("schedule: [5s, 5m]", "schedule: [5s, never]"), ("schedule: [5s, 5m]", "schedule: [0s]"),
            ("schedule: [5s, 5m]", "schedule: [400d]"), ("rateLimit: 20/s", "rateLimit: 20"), ("rateLimit: 20/s", "rateLimit: 0/s"),
            ("rateLimit: 20/s", "rateLimit: 20/week"), ("rateLimit: 20/s", "rateLimit: -1/s"), ("type: bearer", "type: kerberos"),
            ("secret: CRM_TOKEN", "secret: NOT_SET"), ("secret: CRM_TOKEN", "secret: ''"), ("secret: CRM_TOKEN", "secret: ../etc/passwd"),
            ("type: bearer, secret: CRM_TOKEN", "type: header, secret: CRM_TOKEN"), ("type: bearer, secret: CRM_TOKEN", "type: basic, secret: CRM_TOKEN"),
            ("type: bearer, secret: CRM_TOKEN", "type: oauth2, secret: CRM_TOKEN"), ("when: \"data.score >= 50\"", "when: \"data.score >=\""),
            ("when: \"data.score >= 50\"", "when: \"{% if x %}\""), ("'{ \"email\": {{ data.email | json }} }'", "'{{ data.email | json '"),
            ("'{ \"email\": {{ data.email | json }} }'", "'{% for x in data %}'"), ("'{ \"email\": {{ data.email | json }} }'", "'{% include \"/etc/passwd\" %}'"),
            ("X-Source: astra", "\"Bad Header\": astra"), ("X-Source: astra", "\"X-Ok\": \"{{ x \""),
        ];
        foreach (var (from, to) in badValues)
            yield return (ValidYaml.Replace(from, to, StringComparison.Ordinal), "values.yaml");
        yield return (ValidYaml + "\nredact: [\"data..phone\", \"\"]", "values.yaml");
        yield return (ValidYaml.Replace("request:\n", "request:\n  contentType: application/xml\n", StringComparison.Ordinal), "values.yaml");
        // Structural problems: anchors, aliases, bombs, several documents, duplicates, deep nesting, non-rule roots.
        yield return ("a: &a [x, x]\nb: [*a, *a]", "bomb.yaml");
        yield return (ValidYaml.Replace("tenantId: acme", "tenantId: &t acme", StringComparison.Ordinal), "anchor.yaml");
        yield return ("- &r " + ValidYaml.Replace("\n", "\n  ", StringComparison.Ordinal) + "\n- *r", "alias.yaml");
        yield return (ValidYaml + "\n---\n" + ValidYaml, "multi.yaml");
        yield return (ValidYaml + "\nid: again", "dupkey.yaml");
        yield return ("[" + ValidYamlAsJson() + "," + ValidYamlAsJson() + "]", "dupid.json");
        yield return ("{\"id\":\"a\",\"id\":\"b\",\"tenantId\":\"acme\"}", "dupkey.json");
        yield return (new string('[', 200) + new string(']', 200), "deep.json");
        yield return (string.Concat(Enumerable.Repeat("- ", 100)) + "x", "deep.yaml");
        yield return ("{ rules: 5 }", "root.yaml");
        yield return ("42", "root.json");
        yield return ("\"just a string\"", "root.json");
        yield return ("[1, 2, 3]", "root.json");
        yield return ("? [a, b]\n: c", "complexkey.yaml");
        yield return ("!!binary aGVsbG8=", "tag.yaml");
        yield return ("key: \"unterminated", "quote.yaml");
        yield return ("\t- tab indented", "tab.yaml");
        yield return ("{\"rules\": [null, 1, \"x\"]}", "items.json");
        yield return ("\uFEFF{ broken", "bom.json");
        yield return ("\0\0\0", "nul.yaml");
        // Random line deletions of the valid YAML that remove a required line.
        var lines = ValidYaml.Split('\n');
        string[] required = ["id:", "tenantId:", "  events:", "  url:"];
        for (var i = 0; i < lines.Length; i++)
        {
            if (required.Any(r => lines[i].StartsWith(r, StringComparison.Ordinal)))
                yield return (string.Join('\n', lines.Where((_, j) => j != i)), "deleted.yaml");
        }
        // Random junk appended to the body template inside Liquid tags.
        for (var i = 0; i < 20; i++)
        {
            var junk = new string([.. Enumerable.Range(0, random.Next(1, 10)).Select(_ => "{}%|'\"<>"[random.Next(8)])]);
            yield return (ValidYaml.Replace("{{ data.email | json }}", "{{ data.email | json " + junk + " {% ", StringComparison.Ordinal), "liquid.yaml");
        }
    }

    private static string ValidYamlAsJson() =>
        """{"id":"same","tenantId":"acme","trigger":{"events":["a"]},"request":{"url":"https://x.example.com"}}""";

    private static object YamlLike() => new
    {
        id = "crm-new-lead",
        tenantId = "acme",
        trigger = new { events = new[] { "lead.captured" } },
        request = new { url = "https://crm.example.com/api/leads", body = "{ \"email\": {{ data.email | json }} }" },
    };
}
