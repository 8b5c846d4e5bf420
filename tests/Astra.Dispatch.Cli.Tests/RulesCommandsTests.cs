using System.Text.Json;

namespace Astra.Dispatch.Cli.Tests;

public sealed class RulesCommandsTests
{
    private const string ValidRules = """
        rules:
          - id: crm-new-lead
            tenantId: acme
            trigger: { events: [lead.captured, form.*], when: "data.score >= 50" }
            request:
              url: "http://127.0.0.1:9/leads"
              headers: { X-Source: astra, X-Token: "{{ data.token }}" }
              body: '{ "email": {{ data.email | json }} }'
            auth: { type: bearer, secret: CRM_TOKEN }
          - id: other-tenant
            tenantId: globex
            trigger: { events: [lead.captured] }
            request: { url: "http://127.0.0.1:9/x" }
        """;

    private const string Event = """{ "eventId": "e1", "type": "lead.captured", "tenantId": "acme", "data": { "email": "ada@example.com", "score": 70, "token": "tok-sup3r-secret-value" } }""";

    [Theory]
    [MemberData(nameof(CliRun.Databases), MemberType = typeof(CliRun))]
    public async Task Test_EventFromStandardInput_ReadsTheDash(string database)
    {
        await using var cli = await CliRun.CreateAsync(database);
        cli.WriteSecret("acme", "CRM_TOKEN", "s3cr3t-bearer-token");
        await cli.RunAsync("rules", "import", cli.Write("rules.yaml", ValidRules));
        var stdin = Console.In;
        Console.SetIn(new StringReader(Event));
        try
        {
            var test = await cli.RunAsync("rules", "test", "crm-new-lead", "--event", "-", "--json");

            Assert.Equal(0, test.ExitCode);
            Assert.True(JsonDocument.Parse(test.Out).RootElement.GetProperty("matches").GetBoolean());
        }
        finally
        {
            Console.SetIn(stdin);
        }
    }

    [Theory]
    [MemberData(nameof(CliRun.Databases), MemberType = typeof(CliRun))]
    public async Task Validate_InvalidFile_ExitsTwoListingEveryError(string database)
    {
        await using var cli = await CliRun.CreateAsync(database);
        var file = cli.Write("bad.yaml", """
            rules:
              - id: Bad_ID
                tenantId: ""
                trigger: { events: [] }
                request: { url: "ftp://x", method: FOO }
              - id: second
                tenantId: acme
                trigger: { events: [x] }
                request: { url: "https://example.com" }
                auth: { type: bearer, secret: MISSING_SECRET }
            """);

        var result = await cli.RunAsync("rules", "validate", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Bad_ID.id:", result.Err, StringComparison.Ordinal);
        Assert.Contains("Bad_ID.tenantId:", result.Err, StringComparison.Ordinal);
        Assert.Contains("Bad_ID.trigger.events:", result.Err, StringComparison.Ordinal);
        Assert.Contains("Bad_ID.request.method:", result.Err, StringComparison.Ordinal);
        Assert.Contains("Bad_ID.request.url:", result.Err, StringComparison.Ordinal);
        Assert.Contains("second.auth.secret:", result.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Err, StringComparison.Ordinal);
    }

    /// <summary>On main this overflowed the stack while parsing the body: the process aborted with exit code 134.</summary>
    [Theory]
    [MemberData(nameof(CliRun.Databases), MemberType = typeof(CliRun))]
    public async Task Validate_ThreeThousandNestedIfs_ExitsTwoNamingTheField(string database)
    {
        await using var cli = await CliRun.CreateAsync(database);
        var bomb = string.Concat(Enumerable.Repeat("{%if x%}", 3000)) + "x" + string.Concat(Enumerable.Repeat("{%endif%}", 3000));
        var file = cli.Write("bomb.yaml", $$"""
            id: bomb
            tenantId: acme
            trigger: { events: [lead.captured] }
            request:
              url: "https://api.example.com/x"
              body: |
                {{bomb}}
            """);

        var result = await cli.RunAsync("rules", "validate", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("bomb.request.body: invalid Liquid template: nests block tags more than 32 deep", result.Err, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CliRun.Databases), MemberType = typeof(CliRun))]
    public async Task Import_InvalidFile_ExitsTwoAndImportsNothing(string database)
    {
        await using var cli = await CliRun.CreateAsync(database);
        cli.WriteSecret("acme", "CRM_TOKEN", "s3cr3t-bearer-token");
        var file = cli.Write("rules.yaml", ValidRules + "\n  - id: broken\n    tenantId: acme\n");

        var import = await cli.RunAsync("rules", "import", file);
        var list = await cli.RunAsync("rules", "list", "--json");

        Assert.Equal(2, import.ExitCode);
        Assert.Contains("broken", import.Err, StringComparison.Ordinal);
        Assert.Equal(0, JsonDocument.Parse(list.Out).RootElement.GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(CliRun.Databases), MemberType = typeof(CliRun))]
    public async Task ImportThenList_Json_ParsesWithEveryRule(string database)
    {
        await using var cli = await CliRun.CreateAsync(database);
        cli.WriteSecret("acme", "CRM_TOKEN", "s3cr3t-bearer-token");
        var file = cli.Write("rules.yaml", ValidRules);

        var import = await cli.RunAsync("rules", "import", file);
        var list = await cli.RunAsync("rules", "list", "--json");
        var filtered = await cli.RunAsync("rules", "list", "--tenant", "globex", "--json");

        Assert.Equal(0, import.ExitCode);
        Assert.Equal(0, list.ExitCode);
        var ids = JsonDocument.Parse(list.Out).RootElement.EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToList();
        Assert.Equal(["crm-new-lead", "other-tenant"], ids);
        Assert.Single(JsonDocument.Parse(filtered.Out).RootElement.EnumerateArray());
    }

    [Theory]
    [MemberData(nameof(CliRun.Databases), MemberType = typeof(CliRun))]
    public async Task DisableThenTest_DisabledRule_ExplainsAndExitsOne(string database)
    {
        await using var cli = await CliRun.CreateAsync(database);
        cli.WriteSecret("acme", "CRM_TOKEN", "s3cr3t-bearer-token");
        await cli.RunAsync("rules", "import", cli.Write("rules.yaml", ValidRules));
        var ev = cli.Write("event.json", Event);

        var disable = await cli.RunAsync("rules", "disable", "crm-new-lead");
        var test = await cli.RunAsync("rules", "test", "crm-new-lead", "--event", ev, "--json");
        var enable = await cli.RunAsync("rules", "enable", "crm-new-lead");
        var again = await cli.RunAsync("rules", "test", "crm-new-lead", "--event", ev, "--json");

        Assert.Equal(0, disable.ExitCode);
        Assert.Equal(1, test.ExitCode);
        Assert.False(JsonDocument.Parse(test.Out).RootElement.GetProperty("matches").GetBoolean());
        Assert.Equal(0, enable.ExitCode);
        Assert.Equal(0, again.ExitCode);
    }

    [Theory]
    [MemberData(nameof(CliRun.Databases), MemberType = typeof(CliRun))]
    public async Task Test_MatchingEvent_ShowsRenderedRequestWithSecretsMasked(string database)
    {
        await using var cli = await CliRun.CreateAsync(database);
        cli.WriteSecret("acme", "CRM_TOKEN", "s3cr3t-bearer-token");
        await cli.RunAsync("rules", "import", cli.Write("rules.yaml", ValidRules));
        // The event carries the secret's value too: it must be masked wherever it appears.
        var ev = cli.Write("event.json", Event.Replace("tok-sup3r-secret-value", "s3cr3t-bearer-token", StringComparison.Ordinal));

        var human = await cli.RunAsync("rules", "test", "crm-new-lead", "--event", ev);
        var json = await cli.RunAsync("rules", "test", "crm-new-lead", "--event", ev, "--json");

        Assert.Equal(0, human.ExitCode);
        Assert.Contains("POST http://127.0.0.1:9/leads", human.Out, StringComparison.Ordinal);
        Assert.Contains("Authorization: Bearer ***", human.Out, StringComparison.Ordinal);
        Assert.Contains("\"email\": \"ada@example.com\"", human.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-bearer-token", human.Out + human.Err + json.Out, StringComparison.Ordinal);
        var root = JsonDocument.Parse(json.Out).RootElement;
        Assert.True(root.GetProperty("matches").GetBoolean());
        Assert.Equal("***", root.GetProperty("request").GetProperty("headers").GetProperty("X-Token").GetString());
    }

    [Theory]
    [MemberData(nameof(CliRun.Databases), MemberType = typeof(CliRun))]
    public async Task Test_OtherTenantsEvent_FailsTheTenantCheck(string database)
    {
        await using var cli = await CliRun.CreateAsync(database);
        cli.WriteSecret("acme", "CRM_TOKEN", "s3cr3t-bearer-token");
        await cli.RunAsync("rules", "import", cli.Write("rules.yaml", ValidRules));
        var ev = cli.Write("event.json", Event.Replace("\"acme\"", "\"globex\"", StringComparison.Ordinal).Replace("\"score\": 70", "\"score\": 10", StringComparison.Ordinal));

        var result = await cli.RunAsync("rules", "test", "crm-new-lead", "--event", ev, "--json");

        Assert.Equal(1, result.ExitCode);
        var failed = JsonDocument.Parse(result.Out).RootElement.GetProperty("checks").EnumerateArray()
            .Where(c => !c.GetProperty("passed").GetBoolean()).Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Equal(["tenant", "condition"], failed);
    }

    [Theory]
    [MemberData(nameof(CliRun.Databases), MemberType = typeof(CliRun))]
    public async Task ExportThenImport_RoundTrips(string database)
    {
        await using var cli = await CliRun.CreateAsync(database);
        cli.WriteSecret("acme", "CRM_TOKEN", "s3cr3t-bearer-token");
        await cli.RunAsync("rules", "import", cli.Write("rules.yaml", ValidRules));
        var exported = Path.Combine(cli.Folder, "export.yaml");

        var export = await cli.RunAsync("rules", "export", exported);
        await cli.RunAsync("rules", "delete", "other-tenant");
        var reimport = await cli.RunAsync("rules", "import", exported, "--json");

        Assert.Equal(0, export.ExitCode);
        var summary = JsonDocument.Parse(reimport.Out).RootElement;
        Assert.Equal(1, summary.GetProperty("added").GetInt32());
    }

    [Theory]
    [InlineData("rules", "frob")]
    [InlineData("rules", "show")]
    [InlineData("deliveries", "list", "--status", "weird")]
    [InlineData("dlq", "redrive")]
    public async Task Run_UsageError_ExitsTwoWithOneLine(params string[] args)
    {
        using var cli = new CliRun();

        var result = await cli.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [MemberData(nameof(CliRun.Databases), MemberType = typeof(CliRun))]
    public async Task Show_MissingRule_ExitsOne(string database)
    {
        await using var cli = await CliRun.CreateAsync(database);

        var result = await cli.RunAsync("rules", "show", "nope");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("Rule 'nope' does not exist.", result.Err.Trim());
    }

    [Theory]
    [MemberData(nameof(CliRun.Databases), MemberType = typeof(CliRun))]
    public async Task Status_HttpRulesUnderHttpsOnlySettings_CountsStoredRulesAndNamesTheSetting(string database)
    {
        await using var cli = await CliRun.CreateAsync(database);
        cli.WriteSecret("acme", "CRM_TOKEN", "s3cr3t-bearer-token");
        await cli.RunAsync("rules", "import", cli.Write("rules.yaml", ValidRules));
        cli.Settings["Dispatch:Http:AllowPlainHttp"] = "false";

        var human = await cli.RunAsync("status");
        var json = await cli.RunAsync("status", "--json");

        Assert.Contains("Rules: 2 stored, 2 enabled, 0 disabled, 0 paused (tenants: acme, globex).", human.Out, StringComparison.Ordinal);
        Assert.Contains("would skip 2 of the stored rules", human.Out, StringComparison.Ordinal);
        Assert.Contains("crm-new-lead (acme), other-tenant (globex): request.url: uses plain http://", human.Out, StringComparison.Ordinal);
        Assert.Contains("Dispatch:Http:AllowPlainHttp", human.Out, StringComparison.Ordinal);
        var rules = JsonDocument.Parse(json.Out).RootElement.GetProperty("rules");
        Assert.Equal(2, rules.GetProperty("total").GetInt32());
        Assert.Equal(2, rules.GetProperty("enabled").GetInt32());
        Assert.Equal(["crm-new-lead", "other-tenant"], rules.GetProperty("skipped").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
    }

    [Theory]
    [MemberData(nameof(CliRun.Databases), MemberType = typeof(CliRun))]
    public async Task Status_RulesAllowedBySettings_WarnsNothing(string database)
    {
        await using var cli = await CliRun.CreateAsync(database);
        cli.WriteSecret("acme", "CRM_TOKEN", "s3cr3t-bearer-token");
        await cli.RunAsync("rules", "import", cli.Write("rules.yaml", ValidRules));

        var human = await cli.RunAsync("status");

        Assert.Contains("Rules: 2 stored, 2 enabled", human.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("Warning", human.Out, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CliRun.Databases), MemberType = typeof(CliRun))]
    public async Task List_HttpRuleUnderHttpsOnlySettings_ShowsItAsStoredWithWarning(string database)
    {
        await using var cli = await CliRun.CreateAsync(database);
        cli.WriteSecret("acme", "CRM_TOKEN", "s3cr3t-bearer-token");
        await cli.RunAsync("rules", "import", cli.Write("rules.yaml", ValidRules));
        await cli.RunAsync("rules", "disable", "other-tenant");
        cli.Settings["Dispatch:Http:AllowPlainHttp"] = "false";

        var human = await cli.RunAsync("rules", "list");
        var json = await cli.RunAsync("rules", "list", "--json");

        Assert.Equal(0, human.ExitCode);
        Assert.Contains("lead.captured, form.*", human.Out, StringComparison.Ordinal);
        Assert.Contains("disabled", human.Out, StringComparison.Ordinal);
        Assert.Contains("2 rule(s).", human.Out, StringComparison.Ordinal);
        Assert.Contains("other-tenant (globex): request.url: uses plain http://; only https:// is allowed unless Dispatch:Http:AllowPlainHttp is true",
            human.Out, StringComparison.Ordinal);
        var first = JsonDocument.Parse(json.Out).RootElement[0];
        Assert.True(first.GetProperty("enabled").GetBoolean());
        Assert.Contains("Dispatch:Http:AllowPlainHttp", first.GetProperty("loadErrors")[0].GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CliRun.Databases), MemberType = typeof(CliRun))]
    public async Task Status_BrokerUnreachable_ExitsOneAndStillReportsJson(string database)
    {
        await using var cli = await CliRun.CreateAsync(database);

        var result = await cli.RunAsync("status", "--json");

        Assert.Equal(1, result.ExitCode);
        var broker = JsonDocument.Parse(result.Out).RootElement.GetProperty("broker");
        Assert.False(broker.GetProperty("connected").GetBoolean());
        Assert.DoesNotContain("guest:guest", result.Out, StringComparison.Ordinal);
    }
}

public sealed class HelpAndSafetyTests
{
    [Theory]
    [InlineData("rules", "test")]
    [InlineData("dlq", "redrive")]
    [InlineData("events", "publish")]
    [InlineData("deliveries", "list")]
    public async Task Help_EveryCommand_ShowsExamples(string branch, string command)
    {
        using var cli = new CliRun();

        var result = await cli.RunAsync(branch, command, "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("EXAMPLES:", result.Out, StringComparison.Ordinal);
        Assert.Contains($"{branch} {command}", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Purge_NonInteractiveWithoutYes_RefusesWithExitTwo()
    {
        using var cli = new CliRun();

        var result = await cli.RunAsync("dlq", "purge");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--yes", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_InvalidEvent_ExitsTwoNamingTheField()
    {
        using var cli = new CliRun();
        var file = cli.Write("event.json", """{ "eventId": "e1", "type": "Not Valid", "tenantId": "acme" }""");

        var result = await cli.RunAsync("events", "publish", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("type is required", result.Err, StringComparison.Ordinal);
    }
}
