using System.Net;
using Astra.Dispatch.Console.Tests.Api.Support;
using Astra.Dispatch.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Astra.Dispatch.Console.Tests.Api;

/// <summary>What the host adds around the routes: 500s as problem details that tell nothing, request metrics.</summary>
public abstract class HostingTests(string database)
{
    [Fact]
    public async Task UnhandledException_500ProblemWithoutTheExceptionsMessage()
    {
        await using var app = await ConsoleApp.StartAsync(database, services: s => s.AddSingleton<IAuditLog, BrokenAuditLog>());
        var key = await app.KeyAsync("viewer");

        var answer = await app.Client.GetAsync("/api/v1/audit", key);

        var problem = answer.AssertProblem(HttpStatusCode.InternalServerError);
        Assert.DoesNotContain(BrokenAuditLog.Message, answer.Text, StringComparison.Ordinal);
        Assert.True(problem.TryGetProperty("traceId", out _));
    }

    [Fact]
    public async Task Metrics_RequestDurationByRoute_AndFailedAuthentications()
    {
        await using var app = await ConsoleApp.StartAsync(database);
        var key = await app.KeyAsync("viewer");
        (await app.Client.GetAsync("/api/v1/tenants/acme/rules", key)).AssertOk();
        await app.Client.GetAsync("/api/v1/status", "astra_wrong");

        var metrics = await app.Client.GetStringAsync("/metrics");

        Assert.Contains("http_server_request_duration_seconds", metrics, StringComparison.Ordinal);
        Assert.Contains("http_route=\"/api/v1/tenants/{tenant}/rules", metrics, StringComparison.Ordinal);
        Assert.Contains("astra_dispatch_api_auth_failures", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("acme", metrics, StringComparison.Ordinal); // routes, not tenants, label the series
    }

    private sealed class BrokenAuditLog : IAuditLog
    {
        public const string Message = "secret internal detail";

        public Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken) => throw new InvalidOperationException(Message);

        public Task<IReadOnlyList<AuditEntry>> ListAsync(AuditQuery query, CancellationToken cancellationToken) => throw new InvalidOperationException(Message);
    }
}

/// <summary><see cref="HostingTests"/> on SQLite.</summary>
public sealed class HostingOnSqliteTests() : HostingTests(ConsoleApp.Sqlite);

/// <summary><see cref="HostingTests"/> on PostgreSQL.</summary>
public sealed class HostingOnPostgresTests() : HostingTests(ConsoleApp.Postgres);
