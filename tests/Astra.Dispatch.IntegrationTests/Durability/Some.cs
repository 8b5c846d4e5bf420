using Astra.Dispatch.Contracts;
using Astra.Dispatch.IntegrationTests.Support;
using Astra.Dispatch.Testing;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Astra.Dispatch.IntegrationTests.Durability;

/// <summary>Test data for the fault tests: unique tenants, rules pointing at a receiver, raw events.</summary>
internal static class Some
{
    public const string EventType = "lead.captured";

    public static string Tenant() => "t-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A rule posting <c>{ "eventId": … }</c> to <paramref name="url"/> (a Liquid template, e.g. with <c>{{ eventId }}</c> in the path).</summary>
    public static string Rule(string id, string tenant, Uri url, IReadOnlyList<string>? schedule = null, string? timeout = null) =>
        RuleYaml.Post(id, tenant, url, body: """{ "eventId": {{ eventId | json }} }""", timeout: timeout,
            extra: schedule is null ? null : $"retry: {{ schedule: [{string.Join(", ", schedule)}] }}");

    public static object Event(string tenant, string eventId) => new
    {
        eventId,
        type = EventType,
        tenantId = tenant,
        occurredAt = DateTimeOffset.UtcNow,
        data = new { email = "ada@example.com" },
    };

    public static Task PublishEventAsync(this RawAmqp amqp, string tenant, string eventId, CancellationToken cancellationToken = default) =>
        amqp.PublishJsonAsync(BusNames.EventsExchange, EventType, Event(tenant, eventId), mandatory: true, cancellationToken: cancellationToken);

    public static async Task<T> QueryAsync<T>(string databasePath, Func<SqliteConnection, Task<T>> query)
    {
        await using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        return await query(connection);
    }

    /// <summary>Polls the worker's database (the log is written in batches) until <paramref name="sql"/> returns <paramref name="expected"/>.</summary>
    public static async Task WaitForScalarAsync(string databasePath, string sql, object? parameters, long expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        long last = -1;
        while (DateTime.UtcNow < deadline)
        {
            last = await QueryAsync(databasePath, c => c.ExecuteScalarAsync<long>(sql, parameters));
            if (last == expected)
                return;
            await Task.Delay(100);
        }
        throw new TimeoutException($"'{sql}' returned {last}, expected {expected}, within {timeout.TotalSeconds}s");
    }
}
