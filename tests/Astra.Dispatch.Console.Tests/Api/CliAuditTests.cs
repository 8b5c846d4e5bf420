using System.Net;
using Astra.Dispatch.Console.Tests.Api.Support;

namespace Astra.Dispatch.Console.Tests.Api;

/// <summary>The CLI's changes go through the same services as the API's: the same revisions, the same audit log, as cli:&lt;user&gt;.</summary>
public abstract class CliAuditTests(string database) : IAsyncLifetime
{
    private ConsoleApp _app = null!;
    private string _admin = null!;

    public async Task InitializeAsync()
    {
        _app = await ConsoleApp.StartAsync(database);
        _admin = await _app.KeyAsync("admin", name: "auditor");
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task CliImportDisableDeleteAndKeys_AuditedAsCliUser_RevisionsSharedWithApi()
    {
        var cliUser = "cli:" + Environment.UserName;
        var file = Path.Combine(_app.Folder, "rules.yaml");
        await File.WriteAllTextAsync(file, "- id: crm\n  tenantId: acme\n" + string.Join('\n', Routes.RuleYaml.Split('\n').Select(l => "  " + l)) + "\n");

        Assert.Equal(0, (await _app.Cli("rules", "import", file)).ExitCode);
        Assert.Equal(0, (await _app.Cli("rules", "import", file)).ExitCode); // unchanged: no revision
        Assert.Equal(0, (await _app.Cli("rules", "disable", "crm")).ExitCode);
        var etag = (await _app.Client.GetAsync("/api/v1/tenants/acme/rules/crm", _admin)).ETag!;
        (await _app.Client.SendAsync(HttpMethod.Post, "/api/v1/tenants/acme/rules/crm/enable", _admin,
            headers: new Dictionary<string, string> { ["If-Match"] = etag })).AssertOk();
        Assert.Equal(0, (await _app.Cli("rules", "delete", "crm", "--tenant", "acme")).ExitCode);
        var created = await _app.Cli("keys", "create", "--role", "viewer", "--tenant", "acme", "--json");
        var keyId = System.Text.Json.JsonDocument.Parse(created.Out).RootElement.GetProperty("id").GetString();
        Assert.Equal(0, (await _app.Cli("keys", "revoke", keyId!)).ExitCode);

        var revisions = (await _app.Client.GetAsync("/api/v1/tenants/acme/rules/crm/revisions", _admin)).AssertOk().GetProperty("items").EnumerateArray().ToList();
        var audit = (await _app.Client.GetAsync("/api/v1/audit?tenant=acme", _admin)).AssertOk().GetProperty("items").EnumerateArray().ToList();

        Assert.Equal([(4, "deleted", cliUser), (3, "enabled", "key:auditor"), (2, "disabled", cliUser), (1, "created", cliUser)],
            revisions.Select(r => (r.GetProperty("revision").GetInt32(), r.GetProperty("action").GetString(), r.GetProperty("actor").GetString())));
        Assert.Equal(["key.revoked", "key.created", "rule.deleted", "rule.enabled", "rule.disabled", "rule.created"],
            audit.Select(a => a.GetProperty("action").GetString()));
        Assert.Equal([cliUser, cliUser, cliUser, "key:auditor", cliUser, cliUser], audit.Select(a => a.GetProperty("actor").GetString()));
        Assert.Equal("rules.yaml", audit[^1].GetProperty("detail").GetProperty("source").GetString());
        Assert.All(audit.Take(2), a => Assert.Equal($"keys/{keyId}", a.GetProperty("target").GetString()));
    }

    [Fact]
    public async Task Audit_PagesWithNext_AndFilters()
    {
        for (var i = 0; i < 7; i++)
            (await _app.Client.SendAsync(HttpMethod.Put, $"/api/v1/tenants/acme/rules/r{i}", _admin, Routes.RuleYaml, "application/yaml")).AssertOk(HttpStatusCode.Created);

        var ids = new List<long>();
        string? cursor = null;
        do
        {
            var page = (await _app.Client.GetAsync($"/api/v1/audit?action=rule.created&limit=3{(cursor is null ? "" : "&cursor=" + cursor)}", _admin)).AssertOk();
            ids.AddRange(page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()));
            cursor = page.GetProperty("next").GetString();
        }
        while (cursor is not null);

        Assert.Equal(7, ids.Count);
        Assert.Equal(ids.OrderDescending(), ids);
        Assert.Equal(7, ids.Distinct().Count());
        (await _app.Client.GetAsync("/api/v1/audit?since=soon&limit=5000", _admin)).AssertProblem(HttpStatusCode.UnprocessableEntity);
    }
}

/// <summary><see cref="CliAuditTests"/> on SQLite.</summary>
public sealed class CliAuditOnSqliteTests() : CliAuditTests(ConsoleApp.Sqlite);

/// <summary><see cref="CliAuditTests"/> on PostgreSQL.</summary>
public sealed class CliAuditOnPostgresTests() : CliAuditTests(ConsoleApp.Postgres);
