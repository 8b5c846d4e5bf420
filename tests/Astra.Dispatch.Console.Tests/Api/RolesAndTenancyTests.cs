using System.Net;
using Astra.Dispatch.Console.Tests.Api.Support;

namespace Astra.Dispatch.Console.Tests.Api;

/// <summary>viewer reads, operator also writes, admin also manages keys; a tenant key gets 404 on every other tenant's path.</summary>
public abstract class RolesAndTenancyTests(string database) : IAsyncLifetime
{
    private ConsoleApp _app = null!;

    public async Task InitializeAsync()
    {
        _app = await ConsoleApp.StartAsync(database);
        var admin = await _app.KeyAsync("admin");
        // Both tenants have a rule "crm": the isolation must hold on the tenant, not on the id.
        foreach (var tenant in new[] { "acme", "globex" })
            (await _app.Client.SendAsync(HttpMethod.Put, $"/api/v1/tenants/{tenant}/rules/crm", admin, Routes.RuleYaml, "application/yaml")).AssertOk(HttpStatusCode.Created);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("viewer")]
    [InlineData("operator")]
    [InlineData("admin")]
    public async Task TenantKey_AnotherTenantsPaths_404ForEveryRoute(string role)
    {
        var key = await _app.KeyAsync(role, "acme");

        foreach (var route in Routes.OfTenant("globex"))
            (await _app.Client.CallAsync(route, key)).AssertProblem(HttpStatusCode.NotFound);
        // A body that would be refused (415, 422) or a tenant that does not exist: still 404, nothing read first.
        (await _app.Client.SendAsync(HttpMethod.Put, "/api/v1/tenants/globex/rules/crm", key, "<xml/>", "text/xml")).AssertProblem(HttpStatusCode.NotFound);
        (await _app.Client.SendAsync(HttpMethod.Put, "/api/v1/tenants/nobody/rules/x", key, "{}")).AssertProblem(HttpStatusCode.NotFound);
        (await _app.Client.GetAsync("/api/v1/audit?tenant=globex", key)).AssertProblem(HttpStatusCode.NotFound);
        var rule = await _app.Client.GetAsync("/api/v1/tenants/globex/rules/crm", await _app.KeyAsync("admin"));
        Assert.Equal("globex", rule.AssertOk().GetProperty("tenantId").GetString()); // untouched by the attempts
    }

    [Fact]
    public async Task TenantKey_OwnTenant_ReadsAndWrites()
    {
        var key = await _app.KeyAsync("operator", "acme");

        foreach (var route in Routes.OfTenant("acme").Where(r => r.Method != "DELETE" && !r.Path.Contains("deliveries/", StringComparison.Ordinal)))
            Assert.True((await _app.Client.CallAsync(route, key)).Status is HttpStatusCode.OK or HttpStatusCode.Created, route.ToString());
    }

    [Fact]
    public async Task Viewer_EveryWrite_403()
    {
        var key = await _app.KeyAsync("viewer");

        foreach (var route in Routes.OfTenant("acme").Concat(Routes.Global).Where(r => r.MinRole != "viewer"))
            (await _app.Client.CallAsync(route, key)).AssertProblem(HttpStatusCode.Forbidden);
        foreach (var route in Routes.OfTenant("acme").Concat(Routes.Global).Where(r => r.MinRole == "viewer" && !r.Path.Contains("deliveries/", StringComparison.Ordinal)))
            (await _app.Client.CallAsync(route, key)).AssertOk();
    }

    [Fact]
    public async Task Operator_Keys_403_RulesWritable()
    {
        var key = await _app.KeyAsync("operator");

        foreach (var route in Routes.Global.Where(r => r.MinRole == "admin"))
            (await _app.Client.CallAsync(route, key)).AssertProblem(HttpStatusCode.Forbidden);
        (await _app.Client.SendAsync(HttpMethod.Post, "/api/v1/tenants/acme/rules/crm/disable", key)).AssertOk();
        (await _app.Client.SendAsync(HttpMethod.Post, "/api/v1/tenants/acme/rules/crm/enable", key)).AssertOk();
    }

    [Fact]
    public async Task TenantAdmin_Keys_OnlyOwnTenant()
    {
        var acmeAdmin = await _app.KeyAsync("admin", "acme", "acme-admin");
        var globexViewer = await _app.KeyAsync("viewer", "globex", "globex-viewer");

        var created = await _app.Client.SendAsync(HttpMethod.Post, "/api/v1/keys", acmeAdmin, """{ "role": "viewer", "name": "acme-ro" }""");
        var forOther = await _app.Client.SendAsync(HttpMethod.Post, "/api/v1/keys", acmeAdmin, """{ "role": "viewer", "tenant": "globex" }""");
        var list = await _app.Client.GetAsync("/api/v1/keys", acmeAdmin);
        var revokeOther = await _app.Client.SendAsync(HttpMethod.Delete, $"/api/v1/keys/{globexViewer.Split('_')[1]}", acmeAdmin);

        Assert.Equal("acme", created.AssertOk(HttpStatusCode.Created).GetProperty("tenant").GetString());
        forOther.AssertProblem(HttpStatusCode.NotFound);
        Assert.All(list.AssertOk().GetProperty("items").EnumerateArray(), k => Assert.Equal("acme", k.GetProperty("tenant").GetString()));
        revokeOther.AssertProblem(HttpStatusCode.NotFound);
        (await _app.Client.GetAsync("/api/v1/status", globexViewer)).AssertOk();
    }

    [Fact]
    public async Task Admin_CreatesUsesAndRevokesKeyThroughApi()
    {
        var admin = await _app.KeyAsync("admin");

        var created = (await _app.Client.SendAsync(HttpMethod.Post, "/api/v1/keys", admin, """{ "role": "operator", "tenant": "acme", "name": "ci" }""")).AssertOk(HttpStatusCode.Created);
        var key = created.GetProperty("key").GetString()!;
        (await _app.Client.GetAsync("/api/v1/tenants/acme/rules", key)).AssertOk();
        var listed = (await _app.Client.GetAsync("/api/v1/keys", admin)).AssertOk().GetProperty("items").EnumerateArray()
            .Single(k => k.GetProperty("id").GetString() == created.GetProperty("id").GetString());
        (await _app.Client.SendAsync(HttpMethod.Delete, $"/api/v1/keys/{created.GetProperty("id").GetString()}", admin)).AssertOk(HttpStatusCode.NoContent);

        Assert.False(listed.TryGetProperty("key", out _));
        Assert.DoesNotContain(key.Split('_')[2], listed.GetRawText(), StringComparison.Ordinal);
        (await _app.Client.GetAsync("/api/v1/tenants/acme/rules", key)).AssertProblem(HttpStatusCode.Unauthorized);
        var bad = await _app.Client.SendAsync(HttpMethod.Post, "/api/v1/keys", admin, """{ "role": "root", "tenant": "Not A Tenant" }""");
        bad.AssertProblem(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task TenantKey_Status_ScopedAndNoSharedQueues()
    {
        var admin = await _app.KeyAsync("admin");
        var acme = await _app.KeyAsync("viewer", "acme");
        (await _app.Client.SendAsync(HttpMethod.Post, "/api/v1/tenants/globex/rules/crm/disable", admin)).AssertOk();

        var all = (await _app.Client.GetAsync("/api/v1/status", admin)).AssertOk();
        var own = (await _app.Client.GetAsync("/api/v1/status", acme)).AssertOk();

        Assert.Equal(2, all.GetProperty("rules").GetProperty("total").GetInt32());
        Assert.Equal(1, own.GetProperty("rules").GetProperty("total").GetInt32());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, own.GetProperty("queues").ValueKind);
        Assert.False(own.GetProperty("broker").GetProperty("connected").GetBoolean()); // ConsoleApp.NoBroker
    }
}

/// <summary><see cref="RolesAndTenancyTests"/> on SQLite.</summary>
public sealed class RolesAndTenancyOnSqliteTests() : RolesAndTenancyTests(ConsoleApp.Sqlite);

/// <summary><see cref="RolesAndTenancyTests"/> on PostgreSQL.</summary>
public sealed class RolesAndTenancyOnPostgresTests() : RolesAndTenancyTests(ConsoleApp.Postgres);
