using System.Net;
using System.Text.Json;
using Astra.Dispatch.Console.Tests.Api.Support;

namespace Astra.Dispatch.Console.Tests.Api;

/// <summary>Rules over HTTP: YAML and JSON, the CLI's validator (422 with every error), ETag/If-Match, dry runs, revisions and audit.</summary>
public abstract class RulesApiTests(string database) : IAsyncLifetime
{
    private const string Rules = "/api/v1/tenants/acme/rules";
    private ConsoleApp _app = null!;
    private string _operator = null!;

    public async Task InitializeAsync()
    {
        _app = await ConsoleApp.StartAsync(database);
        _operator = await _app.KeyAsync("operator", name: "editor");
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task PutYaml_New_201WithETagLocationAndRevision1()
    {
        var put = await _app.Client.SendAsync(HttpMethod.Put, $"{Rules}/crm", _operator, Routes.RuleYaml, "application/yaml");
        var get = await _app.Client.GetAsync($"{Rules}/crm", _operator);

        var rule = put.AssertOk(HttpStatusCode.Created);
        Assert.Equal("/api/v1/tenants/acme/rules/crm", put.Headers.Location?.ToString());
        Assert.Equal(put.ETag, get.ETag);
        Assert.Equal(put.ETag, rule.GetProperty("etag").GetString());
        Assert.Equal("crm", rule.GetProperty("id").GetString());
        Assert.Equal("acme", rule.GetProperty("tenantId").GetString());
        Assert.Equal("enabled", rule.GetProperty("state").GetString());
        Assert.Equal("https://crm.example.com/leads", get.AssertOk().GetProperty("definition").GetProperty("request").GetProperty("url").GetString());
        var revision = (await _app.Client.GetAsync($"{Rules}/crm/revisions", _operator)).AssertOk().GetProperty("items").EnumerateArray().Single();
        Assert.Equal(1, revision.GetProperty("revision").GetInt32());
        Assert.Equal("created", revision.GetProperty("action").GetString());
        Assert.Equal("key:editor", revision.GetProperty("actor").GetString());
    }

    [Fact]
    public async Task PutJson_WithMatchingIfMatch_200NewETag_StaleIfMatch_412Everywhere()
    {
        var created = await _app.Client.SendAsync(HttpMethod.Put, $"{Rules}/crm", _operator, Routes.RuleYaml, "application/yaml");
        var first = created.ETag!;
        var json = JsonSerializer.Serialize(new
        {
            name = "renamed",
            trigger = new { events = new[] { "lead.captured" } },
            request = new { method = "POST", url = "https://crm.example.com/v2/leads" },
        });

        var updated = await _app.Client.SendAsync(HttpMethod.Put, $"{Rules}/crm", _operator, json, headers: new Dictionary<string, string> { ["If-Match"] = first });
        var stale = new Dictionary<string, string> { ["If-Match"] = first };
        var stalePut = await _app.Client.SendAsync(HttpMethod.Put, $"{Rules}/crm", _operator, json, headers: stale);
        var staleDisable = await _app.Client.SendAsync(HttpMethod.Post, $"{Rules}/crm/disable", _operator, headers: stale);
        var staleEnable = await _app.Client.SendAsync(HttpMethod.Post, $"{Rules}/crm/enable", _operator, headers: stale);
        var staleDelete = await _app.Client.SendAsync(HttpMethod.Delete, $"{Rules}/crm", _operator, headers: stale);
        var createOnly = await _app.Client.SendAsync(HttpMethod.Put, $"{Rules}/crm", _operator, json, headers: new Dictionary<string, string> { ["If-None-Match"] = "*" });
        var weak = await _app.Client.SendAsync(HttpMethod.Post, $"{Rules}/crm/disable", _operator, headers: new Dictionary<string, string> { ["If-Match"] = "W/" + updated.ETag });

        Assert.Equal("renamed", updated.AssertOk().GetProperty("name").GetString());
        Assert.NotEqual(first, updated.ETag);
        foreach (var answer in new[] { stalePut, staleDisable, staleEnable, staleDelete, createOnly, weak })
        {
            answer.AssertProblem(HttpStatusCode.PreconditionFailed);
            Assert.Equal(updated.ETag, answer.ETag); // the current one, to start again from
        }
        var current = (await _app.Client.GetAsync($"{Rules}/crm", _operator)).AssertOk();
        Assert.Equal("renamed", current.GetProperty("name").GetString());
        Assert.True(current.GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task EnableDisableDelete_WithCurrentETag_ChangeStateAndEachIsARevision()
    {
        var etag = (await _app.Client.SendAsync(HttpMethod.Put, $"{Rules}/crm", _operator, Routes.RuleYaml, "application/yaml")).ETag!;

        var disabled = await _app.Client.SendAsync(HttpMethod.Post, $"{Rules}/crm/disable", _operator, headers: new Dictionary<string, string> { ["If-Match"] = etag });
        var enabled = await _app.Client.SendAsync(HttpMethod.Post, $"{Rules}/crm/enable", _operator, headers: new Dictionary<string, string> { ["If-Match"] = disabled.ETag! });
        var deleted = await _app.Client.SendAsync(HttpMethod.Delete, $"{Rules}/crm", _operator, headers: new Dictionary<string, string> { ["If-Match"] = enabled.ETag! });
        var gone = await _app.Client.GetAsync($"{Rules}/crm", _operator);
        var revisions = (await _app.Client.GetAsync($"{Rules}/crm/revisions", _operator)).AssertOk().GetProperty("items");

        Assert.Equal("disabled", disabled.AssertOk().GetProperty("state").GetString());
        Assert.Equal("enabled", enabled.AssertOk().GetProperty("state").GetString());
        deleted.AssertOk(HttpStatusCode.NoContent);
        gone.AssertProblem(HttpStatusCode.NotFound);
        Assert.Equal(["deleted", "enabled", "disabled", "created"], revisions.EnumerateArray().Select(r => r.GetProperty("action").GetString()));
        Assert.Equal([4, 3, 2, 1], revisions.EnumerateArray().Select(r => r.GetProperty("revision").GetInt32()));
        Assert.Equal(JsonValueKind.Null, revisions[0].GetProperty("definition").ValueKind);
        var audit = (await _app.Client.GetAsync("/api/v1/audit?target=rules/acme/crm", _operator)).AssertOk().GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["rule.deleted", "rule.enabled", "rule.disabled", "rule.created"], audit.Select(a => a.GetProperty("action").GetString()));
        Assert.Equal(3, audit[0].GetProperty("revisionBefore").GetInt32());
        Assert.Equal(4, audit[0].GetProperty("revisionAfter").GetInt32());
        Assert.All(audit, a => Assert.Equal("key:editor", a.GetProperty("actor").GetString()));
        (await _app.Client.SendAsync(HttpMethod.Post, $"{Rules}/crm/enable", _operator)).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PutInvalid_422WithEveryErrorAsFieldAndMessage()
    {
        const string Yaml = """
            id: another-id
            tenantId: globex
            colour: blue
            trigger: { events: ["Not An Event"] }
            request:
              method: FETCH
              url: "ftp://crm.example.com/leads"
              timeout: forever
            auth: { type: bearer, secret: MISSING_SECRET }
            """;

        var answer = await _app.Client.SendAsync(HttpMethod.Put, $"{Rules}/crm", _operator, Yaml, "application/yaml");

        var errors = answer.AssertProblem(HttpStatusCode.UnprocessableEntity).GetProperty("errors").EnumerateArray()
            .Select(e => (Field: e.GetProperty("field").GetString()!, Message: e.GetProperty("message").GetString()!)).ToList();
        Assert.Equal(["id", "tenantId", "colour", "trigger.events[0]", "request.method", "request.url", "request.timeout", "auth.secret"],
            errors.Select(e => e.Field).Distinct());
        Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Message)));
        (await _app.Client.GetAsync($"{Rules}/crm", _operator)).AssertProblem(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("id: [unclosed", "application/yaml")]
    [InlineData("{ \"id\": ", "application/json")]
    [InlineData("[{ \"id\": \"crm\" }]", "application/json")]
    public async Task PutUnreadable_422OnTheBody(string body, string contentType)
    {
        var answer = await _app.Client.SendAsync(HttpMethod.Put, $"{Rules}/crm", _operator, body, contentType);

        Assert.Equal("$", answer.AssertProblem(HttpStatusCode.UnprocessableEntity).GetProperty("errors")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task PutWrongContentType_415_TooLarge_413()
    {
        await using var small = await ConsoleApp.StartAsync(database, settings: new Dictionary<string, string?> { ["Dispatch:Console:MaxRequestBodyBytes"] = "1024" });
        var key = await small.KeyAsync("operator");

        var xml = await small.Client.SendAsync(HttpMethod.Put, $"{Rules}/crm", key, "<rule/>", "application/xml");
        var large = await small.Client.SendAsync(HttpMethod.Put, $"{Rules}/crm", key, Routes.RuleYaml + "\n# " + new string('x', 4096), "application/yaml");

        xml.AssertProblem(HttpStatusCode.UnsupportedMediaType);
        large.AssertProblem(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Test_SampleEvent_ChecksAndRequestWithCredentialsMasked()
    {
        // Where secrets live today, and per tenant (<SecretsPath>/<tenant>/<NAME>) as the tenancy contract has them.
        await File.WriteAllTextAsync(Path.Combine(_app.Folder, "secrets", "CRM_TOKEN"), "s3cr3t-crm-token-value");
        Directory.CreateDirectory(Path.Combine(_app.Folder, "secrets", "acme"));
        await File.WriteAllTextAsync(Path.Combine(_app.Folder, "secrets", "acme", "CRM_TOKEN"), "s3cr3t-crm-token-value");
        const string Yaml = """
            trigger: { events: [lead.captured], when: "data.score >= 50" }
            request:
              method: POST
              url: "https://crm.example.com/leads?ref={{ data.email | url_encode }}"
              headers: { X-Api-Key: "{{ data.email }}" }
              body: '{ "email": {{ data.email | json }}, "token": "s3cr3t-crm-token-value" }'
            auth: { type: bearer, secret: CRM_TOKEN }
            signing: { secret: CRM_TOKEN }
            """;
        (await _app.Client.SendAsync(HttpMethod.Put, $"{Rules}/crm", _operator, Yaml, "application/yaml")).AssertOk(HttpStatusCode.Created);

        var matches = await _app.Client.SendAsync(HttpMethod.Post, $"{Rules}/crm/test", _operator,
            """{ "type": "lead.captured", "data": { "email": "ada@example.com", "score": 80 } }""");
        var low = await _app.Client.SendAsync(HttpMethod.Post, $"{Rules}/crm/test", _operator,
            """{ "type": "lead.captured", "data": { "email": "ada@example.com", "score": 10 } }""");
        var invalid = await _app.Client.SendAsync(HttpMethod.Post, $"{Rules}/crm/test", _operator, """{ "data": 5 }""");

        var result = matches.AssertOk();
        Assert.True(result.GetProperty("matches").GetBoolean());
        Assert.Equal(["enabled", "tenant", "type", "agent", "condition"], result.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        var request = result.GetProperty("request");
        Assert.Equal("Bearer ***", request.GetProperty("headers").GetProperty("Authorization").GetString());
        Assert.Equal("v1,***", request.GetProperty("headers").GetProperty("webhook-signature").GetString());
        Assert.Equal("***", request.GetProperty("headers").GetProperty("X-Api-Key").GetString());
        Assert.DoesNotContain("s3cr3t-crm-token-value", matches.Text, StringComparison.Ordinal);
        Assert.False(low.AssertOk().GetProperty("matches").GetBoolean());
        Assert.False(low.Json.GetProperty("checks")[4].GetProperty("passed").GetBoolean());
        invalid.AssertProblem(HttpStatusCode.UnprocessableEntity);
        (await _app.Client.SendAsync(HttpMethod.Post, $"{Rules}/nope/test", _operator, Routes.SampleEvent)).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task List_TenantsRulesOnly_SameIdOtherTenantUntouched()
    {
        (await _app.Client.SendAsync(HttpMethod.Put, $"{Rules}/crm", _operator, Routes.RuleYaml, "application/yaml")).AssertOk(HttpStatusCode.Created);
        (await _app.Client.SendAsync(HttpMethod.Put, "/api/v1/tenants/globex/rules/crm", _operator, Routes.RuleYaml, "application/yaml")).AssertOk(HttpStatusCode.Created);
        (await _app.Client.SendAsync(HttpMethod.Delete, "/api/v1/tenants/globex/rules/crm", _operator)).AssertOk(HttpStatusCode.NoContent);

        var items = (await _app.Client.GetAsync(Rules, _operator)).AssertOk().GetProperty("items").EnumerateArray().ToList();

        Assert.Equal("acme", Assert.Single(items).GetProperty("tenantId").GetString());
    }
}

/// <summary><see cref="RulesApiTests"/> on SQLite.</summary>
public sealed class RulesApiOnSqliteTests() : RulesApiTests(ConsoleApp.Sqlite);

/// <summary><see cref="RulesApiTests"/> on PostgreSQL.</summary>
public sealed class RulesApiOnPostgresTests() : RulesApiTests(ConsoleApp.Postgres);
