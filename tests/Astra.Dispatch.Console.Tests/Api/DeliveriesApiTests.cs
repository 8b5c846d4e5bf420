using System.Net;
using Astra.Dispatch.Console.Tests.Api.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Astra.Dispatch.Console.Tests.Api;

/// <summary>Delivery search with cursor paging over the real log (SQLite or PostgreSQL), and one delivery with its attempts.</summary>
public abstract class DeliveriesApiTests(string database) : IAsyncLifetime
{
    private const string Deliveries = "/api/v1/tenants/acme/deliveries";
    private static readonly DateTimeOffset T0 = DateTimeOffset.UtcNow.AddMinutes(-30);
    private ConsoleApp _app = null!;
    private string _viewer = null!;

    public async Task InitializeAsync()
    {
        _app = await ConsoleApp.StartAsync(database);
        _viewer = await _app.KeyAsync("viewer", "acme");
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Paging_WhileTheLogChanges_EveryDeliveryOnceNewestFirst()
    {
        // 23 deliveries, several created in the same instant (ties are broken by id), plus another tenant's.
        var expected = new List<string>();
        for (var i = 0; i < 23; i++)
            expected.Add(await InsertAsync($"msg_{i:D3}", "acme", T0.AddSeconds(i / 3), i % 2 == 0 ? "succeeded" : "failed"));
        await InsertAsync("msg_other", "globex", T0.AddSeconds(5), "succeeded");
        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = (await _app.Client.GetAsync($"{Deliveries}?limit=5{(cursor is null ? "" : "&cursor=" + cursor)}", _viewer)).AssertOk();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("id").GetString()!));
            cursor = page.GetProperty("next").GetString();
            if (pages++ == 1)
            {
                // Meanwhile: a new delivery arrives, and one already listed and one not yet listed are updated.
                await InsertAsync("msg_new", "acme", DateTimeOffset.UtcNow, "pending");
                await TouchAsync("msg_020");
                await TouchAsync("msg_002");
            }
        }
        while (cursor is not null);

        Assert.Equal(5, pages);
        Assert.Equal(expected.AsEnumerable().Reverse(), seen);
    }

    [Fact]
    public async Task Filters_StatusRuleEventSince()
    {
        await InsertAsync("msg_a", "acme", T0, "succeeded", rule: "crm", eventId: "evt_1");
        await InsertAsync("msg_b", "acme", T0.AddSeconds(1), "failed", rule: "crm", eventId: "evt_2");
        await InsertAsync("msg_c", "acme", T0.AddSeconds(2), "failed", rule: "chat", eventId: "evt_2", updatedAt: DateTimeOffset.UtcNow.AddDays(-2));

        async Task<IEnumerable<string>> Ids(string query) =>
            (await _app.Client.GetAsync($"{Deliveries}?{query}", _viewer)).AssertOk().GetProperty("items").EnumerateArray().Select(d => d.GetProperty("id").GetString()!);

        Assert.Equal(["msg_c", "msg_b"], await Ids("status=failed"));
        Assert.Equal(["msg_b", "msg_a"], await Ids("rule=crm"));
        Assert.Equal(["msg_c", "msg_b"], await Ids("event=evt_2"));
        Assert.Equal(["msg_b", "msg_a"], await Ids("since=1d"));
        Assert.Equal(["msg_b"], await Ids($"since={Uri.EscapeDataString(T0.AddSeconds(1).ToString("O"))}&status=failed"));
    }

    [Fact]
    public async Task BadQuery_422WithEveryError()
    {
        var answer = await _app.Client.GetAsync($"{Deliveries}?status=lost&since=yesterday&limit=0&cursor=garbage", _viewer);

        var fields = answer.AssertProblem(HttpStatusCode.UnprocessableEntity).GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString());
        Assert.Equal(["status", "since", "limit", "cursor"], fields);
    }

    [Fact]
    public async Task Get_WithAttempts_Redacted_OtherTenantsDelivery404()
    {
        await InsertAsync("msg_one", "acme", T0, "succeeded");
        await InsertAttemptAsync("msg_one", 1, 503, "transient", "HTTP 503", """{ "error": "busy", "access_token": "leaked-token" }""");
        await InsertAttemptAsync("msg_one", 2, 200, "succeeded", null, """{ "id": 42 }""");
        await InsertAsync("msg_theirs", "globex", T0, "succeeded");

        var answer = await _app.Client.GetAsync($"{Deliveries}/msg_one", _viewer);
        var theirs = await _app.Client.GetAsync($"{Deliveries}/msg_theirs", await _app.KeyAsync("admin"));

        var body = answer.AssertOk();
        Assert.Equal("msg_one", body.GetProperty("delivery").GetProperty("id").GetString());
        var attempts = body.GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal([503, 200], attempts.Select(a => a.GetProperty("statusCode").GetInt32()));
        Assert.Equal("transient", attempts[0].GetProperty("outcome").GetString());
        Assert.Equal(12.5, attempts[0].GetProperty("durationMs").GetDouble());
        Assert.Equal("HTTP 503", attempts[0].GetProperty("error").GetString());
        Assert.DoesNotContain("leaked-token", answer.Text, StringComparison.Ordinal);
        theirs.AssertProblem(HttpStatusCode.NotFound); // under acme's path, even for an admin
        (await _app.Client.GetAsync($"{Deliveries}/msg_missing", _viewer)).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Resend_Refused_409Or422WithTheReason_NothingAudited_TenantAndRoleChecked()
    {
        var operatorKey = await _app.KeyAsync("operator", "acme");
        const string Resend = Deliveries + "/msg_r/resend";
        await InsertAsync("msg_r", "acme", T0, "failed", rule: "crm", eventId: "evt_r");

        async Task<(int Status, string? Reason, string? Detail)> RefusedAsync()
        {
            var answer = await _app.Client.SendAsync(HttpMethod.Post, Resend, operatorKey);
            var problem = answer.Json;
            Assert.Equal("application/problem+json", answer.MediaType);
            return ((int)answer.Status, problem.TryGetProperty("reason", out var r) ? r.GetString() : null, problem.GetProperty("detail").GetString());
        }

        Assert.Equal((409, "rule-missing", "rule crm of tenant acme no longer exists"), await RefusedAsync());
        (await _app.Client.SendAsync(HttpMethod.Put, "/api/v1/tenants/acme/rules/crm", operatorKey, Routes.RuleYaml, "application/yaml")).AssertOk(HttpStatusCode.Created);
        (await _app.Client.SendAsync(HttpMethod.Post, "/api/v1/tenants/acme/rules/crm/disable", operatorKey)).AssertOk();
        Assert.Equal((409, "rule-not-enabled", "rule crm of tenant acme is disabled: enable it first"), await RefusedAsync());
        (await _app.Client.SendAsync(HttpMethod.Post, "/api/v1/tenants/acme/rules/crm/enable", operatorKey)).AssertOk();
        var (status, reason, _) = await RefusedAsync();
        Assert.Equal((409, "event-not-stored"), (status, reason));
        // The rule as it is now cannot render the stored event (a value written without quotes breaks the JSON body): 422.
        await StoreEventAsync("acme", "evt_r", """{ "eventId": "evt_r", "type": "lead.captured", "tenantId": "acme", "data": { "email": "ada@example.com" } }""");
        (await _app.Client.SendAsync(HttpMethod.Put, "/api/v1/tenants/acme/rules/crm", operatorKey,
            Routes.RuleYaml.Replace("{{ data.email | json }}", "{{ data.email }}", StringComparison.Ordinal), "application/yaml")).AssertOk();
        var (renderStatus, renderReason, renderDetail) = await RefusedAsync();
        Assert.Equal((422, "render-failed"), (renderStatus, renderReason));
        Assert.Contains("rendered body is not valid JSON", renderDetail, StringComparison.Ordinal);

        (await _app.Client.SendAsync(HttpMethod.Post, Resend, await _app.KeyAsync("viewer", "acme"))).AssertProblem(HttpStatusCode.Forbidden);
        (await _app.Client.SendAsync(HttpMethod.Post, Resend.Replace("acme", "globex", StringComparison.Ordinal), await _app.KeyAsync("operator", "globex")))
            .AssertProblem(HttpStatusCode.NotFound);
        (await _app.Client.SendAsync(HttpMethod.Post, Deliveries + "/msg_missing/resend", operatorKey)).AssertProblem(HttpStatusCode.NotFound);
        var audit = (await _app.Client.GetAsync("/api/v1/audit?action=delivery.resent", await _app.KeyAsync("admin"))).AssertOk();
        Assert.Empty(audit.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Resend_BrokerUnreachable_503()
    {
        var operatorKey = await _app.KeyAsync("operator", "acme");
        (await _app.Client.SendAsync(HttpMethod.Put, "/api/v1/tenants/acme/rules/crm", operatorKey, Routes.RuleYaml, "application/yaml")).AssertOk(HttpStatusCode.Created);
        await InsertAsync("msg_b", "acme", T0, "failed", rule: "crm", eventId: "evt_b");
        await StoreEventAsync("acme", "evt_b", """{ "eventId": "evt_b", "type": "lead.captured", "tenantId": "acme", "data": { "email": "ada@example.com" } }""");

        var answer = await _app.Client.SendAsync(HttpMethod.Post, Deliveries + "/msg_b/resend", operatorKey);

        Assert.Contains("broker", answer.AssertProblem(HttpStatusCode.ServiceUnavailable).GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("guest:guest", answer.Text, StringComparison.Ordinal);
        // Nothing went out, so the delivery is as it was, not pending with nothing in flight.
        Assert.Equal("failed", (await _app.Client.GetAsync(Deliveries + "/msg_b", operatorKey)).AssertOk().GetProperty("delivery").GetProperty("status").GetString());
    }

    private async Task StoreEventAsync(string tenant, string eventId, string json)
    {
        await using var connection = await _app.OpenDatabaseAsync();
        await connection.ExecuteAsync("INSERT INTO events (tenant_id, event_id, event_type, body, stored_at) VALUES (@tenant, @eventId, 'lead.captured', @json, @at)",
            new { tenant, eventId, json, at = _app.Timestamp(DateTimeOffset.UtcNow) });
    }

    private async Task<string> InsertAsync(string id, string tenant, DateTimeOffset createdAt, string status, string rule = "crm", string? eventId = null,
        DateTimeOffset? updatedAt = null)
    {
        await using var connection = await _app.OpenDatabaseAsync();
        await connection.ExecuteAsync(
            """
            INSERT INTO deliveries (id, event_id, event_type, rule_id, tenant_id, status, attempts, created_at, updated_at)
            VALUES (@id, @eventId, 'lead.captured', @rule, @tenant, @status, 1, @createdAt, @updatedAt)
            """,
            new { id, eventId = eventId ?? "evt_" + id, rule, tenant, status, createdAt = _app.Timestamp(createdAt), updatedAt = _app.Timestamp(updatedAt ?? createdAt) });
        return id;
    }

    private async Task TouchAsync(string id)
    {
        await using var connection = await _app.OpenDatabaseAsync();
        await connection.ExecuteAsync("UPDATE deliveries SET updated_at = @now, status = 'retrying' WHERE id = @id", new { id, now = _app.Timestamp(DateTimeOffset.UtcNow) });
    }

    private async Task InsertAttemptAsync(string id, int attempt, int status, string outcome, string? error, string excerpt)
    {
        await using var connection = await _app.OpenDatabaseAsync();
        await connection.ExecuteAsync(
            """
            INSERT INTO attempts (delivery_id, attempt, started_at, duration_ms, status_code, outcome, error, response_excerpt)
            VALUES (@id, @attempt, @at, 12.5, @status, @outcome, @error, @excerpt)
            """, new { id, attempt, at = _app.Timestamp(T0.AddSeconds(attempt)), status, outcome, error, excerpt });
    }
}

/// <summary><see cref="DeliveriesApiTests"/> on SQLite.</summary>
public sealed class DeliveriesApiOnSqliteTests() : DeliveriesApiTests(ConsoleApp.Sqlite);

/// <summary><see cref="DeliveriesApiTests"/> on PostgreSQL.</summary>
public sealed class DeliveriesApiOnPostgresTests() : DeliveriesApiTests(ConsoleApp.Postgres);
