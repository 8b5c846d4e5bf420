using System.Text.Json;
using Astra.Dispatch.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Astra.Dispatch.Cli.Tests;

public sealed class DeliveriesCommandsTests
{
    private const string Rules = """
        rules:
          - id: r1
            tenantId: acme
            trigger: { events: [lead.captured] }
            request: { url: "http://127.0.0.1:9/leads", body: '{ "email": {{ data.email | json }} }' }
        """;

    [Theory]
    [MemberData(nameof(CliRun.Databases), MemberType = typeof(CliRun))]
    public async Task ListAndShow_SeededLog_FilterAndShowAttempts(string database)
    {
        await using var cli = await CliRun.CreateAsync(database);
        var now = DateTimeOffset.UtcNow;
        await SeedAsync(cli,
            Attempt("msg_a", "e1", 1, now.AddMinutes(-5), "failed", 503, "transient", "HTTP 503", """{"token":"abc123456"}"""),
            Attempt("msg_a", "e1", 2, now.AddMinutes(-5), "failed", 500, "transient", "HTTP 500", null),
            Attempt("msg_b", "e2", 1, now.AddHours(-3), "succeeded", 200, "succeeded", null, null));

        var failed = await cli.RunAsync("deliveries", "list", "--status", "failed", "--json");
        var recent = await cli.RunAsync("deliveries", "list", "--since", "1h", "--json");
        var show = await cli.RunAsync("deliveries", "show", "msg_a", "--json");
        var human = await cli.RunAsync("deliveries", "show", "msg_a");

        Assert.Equal(["msg_a"], JsonDocument.Parse(failed.Out).RootElement.EnumerateArray().Select(d => d.GetProperty("id").GetString()));
        Assert.Equal(["msg_a"], JsonDocument.Parse(recent.Out).RootElement.EnumerateArray().Select(d => d.GetProperty("id").GetString()));
        var attempts = JsonDocument.Parse(show.Out).RootElement.GetProperty("attempts");
        Assert.Equal(2, attempts.GetArrayLength());
        Assert.Equal(503, attempts[0].GetProperty("statusCode").GetInt32());
        Assert.DoesNotContain("abc123456", show.Out + human.Out, StringComparison.Ordinal);
        Assert.Equal(0, human.ExitCode);
        Assert.Contains("HTTP 503", human.Out, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CliRun.Databases), MemberType = typeof(CliRun))]
    public async Task Resend_UnknownOrOtherTenantsDelivery_ExitsOneAsNotFound(string database)
    {
        await using var cli = await CliRun.CreateAsync(database);
        await cli.RunAsync("rules", "import", cli.Write("rules.yaml", Rules));
        await SeedAsync(cli, Attempt("msg_a", "e1", 1, DateTimeOffset.UtcNow, "failed", 400, "permanent", "HTTP 400", null));

        var unknown = await cli.RunAsync("deliveries", "resend", "msg_nope");
        var otherTenant = await cli.RunAsync("deliveries", "resend", "msg_a", "--tenant", "globex");

        Assert.Equal((1, "Not resent: delivery msg_nope does not exist."), (unknown.ExitCode, unknown.Err.Trim()));
        Assert.Equal((1, "Not resent: delivery msg_a does not exist for tenant globex."), (otherTenant.ExitCode, otherTenant.Err.Trim()));
    }

    [Theory]
    [MemberData(nameof(CliRun.Databases), MemberType = typeof(CliRun))]
    public async Task Resend_EventNotStoredOrRuleDisabled_SaysWhyAndLeavesTheDeliveryAlone(string database)
    {
        await using var cli = await CliRun.CreateAsync(database);
        await cli.RunAsync("rules", "import", cli.Write("rules.yaml", Rules));
        await SeedAsync(cli, Attempt("msg_a", "e1", 1, DateTimeOffset.UtcNow, "failed", 400, "permanent", "HTTP 400", null));

        var noEvent = await cli.RunAsync("deliveries", "resend", "msg_a");
        await SeedAsync(cli, new EventRecorded(DateTimeOffset.UtcNow, "acme", "e1", "lead.captured", Event("e1")));
        await cli.RunAsync("rules", "disable", "r1");
        var disabled = await cli.RunAsync("deliveries", "resend", "msg_a", "--json");
        var show = await cli.RunAsync("deliveries", "show", "msg_a", "--json");

        Assert.Equal(1, noEvent.ExitCode);
        Assert.Contains("event e1 is not stored", noEvent.Err, StringComparison.Ordinal);
        Assert.Equal(1, disabled.ExitCode);
        Assert.Contains("rule r1 of tenant acme is disabled: enable it first", disabled.Err, StringComparison.Ordinal);
        Assert.Equal("failed", JsonDocument.Parse(show.Out).RootElement.GetProperty("delivery").GetProperty("status").GetString());
    }

    [Theory]
    [MemberData(nameof(CliRun.Databases), MemberType = typeof(CliRun))]
    public async Task Resend_RenderFailureWhileTheRuleIsStillBroken_NothingSent(string database)
    {
        await using var cli = await CliRun.CreateAsync(database);
        // The body divides by zero: as the rule stands, it renders no event at all.
        await cli.RunAsync("rules", "import", cli.Write("rules.yaml", Rules.Replace("{{ data.email | json }}", "{{ data.email | divided_by: 0 }}", StringComparison.Ordinal)));
        await SeedAsync(cli,
            new EventRecorded(DateTimeOffset.UtcNow, "acme", "e1", "lead.captured", Event("e1")),
            Attempt("msg_a", "e1", 0, DateTimeOffset.UtcNow, "failed", null, "render-failed", "rule r1: request.body: …", null));

        var result = await cli.RunAsync("deliveries", "resend", "msg_a");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("Not resent: rule r1: request.body:", result.Err.Trim(), StringComparison.Ordinal);
    }

    private static string Event(string id) =>
        JsonSerializer.Serialize(new { eventId = id, type = "lead.captured", tenantId = "acme", occurredAt = DateTimeOffset.UtcNow, data = new { email = "ada@example.com" } });

    private static AttemptRecorded Attempt(string id, string eventId, int attempt, DateTimeOffset at, string status, int? code, string outcome, string? error,
        string? excerpt) =>
        new(id, at, eventId, "lead.captured", "r1", "acme", attempt, 12.5, code, outcome, error, excerpt, status, null);

    private static async Task SeedAsync(CliRun cli, params DeliveryLogEntry[] entries)
    {
        await using var services = cli.Services();
        await services.GetRequiredService<IDeliveryLogStore>().WriteBatchAsync(entries, CancellationToken.None);
    }
}
