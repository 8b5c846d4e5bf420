using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Astra.Dispatch.Cli.Tests;

public sealed class DeliveriesCommandsTests
{
    [Fact]
    public async Task ListAndShow_SeededLog_FilterAndShowAttempts()
    {
        using var cli = new CliRun();
        await cli.RunAsync("rules", "list"); // creates and migrates the database
        var now = DateTimeOffset.UtcNow;
        await using (var db = new SqliteConnection($"Data Source={cli.Settings["Dispatch:Database"]}"))
        {
            await db.ExecuteAsync(
                """
                INSERT INTO deliveries (id, event_id, event_type, rule_id, tenant_id, status, attempts, last_status_code, last_error, created_at, updated_at)
                VALUES ('msg_a', 'e1', 'lead.captured', 'r1', 'acme', 'failed', 2, 500, 'HTTP 500', @recent, @recent),
                       ('msg_b', 'e2', 'lead.captured', 'r1', 'acme', 'succeeded', 1, 200, NULL, @old, @old);
                INSERT INTO attempts (delivery_id, attempt, started_at, duration_ms, status_code, outcome, error, response_excerpt)
                VALUES ('msg_a', 1, @recent, 12.5, 503, 'transient', 'HTTP 503', '{"token":"abc123456"}'),
                       ('msg_a', 2, @recent, 10, 500, 'transient', 'HTTP 500', NULL);
                """, new { recent = now.AddMinutes(-5).ToString("O"), old = now.AddHours(-3).ToString("O") });
        }

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
}
