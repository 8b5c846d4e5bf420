using System.Net;
using System.Text.Json;
using Astra.Dispatch.Console.Tests.Api.Support;

namespace Astra.Dispatch.Console.Tests.Api;

/// <summary>Every route needs a valid key: none, wrong, malformed and revoked keys get 401 problem details; guessing gets 429.</summary>
public abstract class AuthenticationTests(string database) : IAsyncLifetime
{
    private ConsoleApp _app = null!;

    private static IEnumerable<Routes.Route> AllRoutes => [.. Routes.OfTenant("acme"), .. Routes.Global];

    public async Task InitializeAsync() => _app = await ConsoleApp.StartAsync(database);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task EveryRoute_NoKey_401ProblemWithBearerChallenge()
    {
        foreach (var route in AllRoutes)
        {
            var answer = await _app.Client.CallAsync(route, key: null);

            answer.AssertProblem(HttpStatusCode.Unauthorized);
            Assert.Contains("Bearer", answer.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("astra_aaaaaaaaaaaaaaaa_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")] // well-formed, unknown
    [InlineData("not-a-key")]
    [InlineData("")]
    public async Task EveryRoute_WrongOrMalformedKey_401(string key)
    {
        foreach (var route in AllRoutes)
            (await _app.Client.CallAsync(route, key)).AssertProblem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task KnownId_WrongSecret_401()
    {
        var key = await _app.KeyAsync("admin");
        var forged = key[..^4] + (key[^4..] == "aaaa" ? "bbbb" : "aaaa");

        (await _app.Client.GetAsync("/api/v1/status", forged)).AssertProblem(HttpStatusCode.Unauthorized);
        (await _app.Client.GetAsync("/api/v1/status", key)).AssertOk();
    }

    [Fact]
    public async Task RevokedByCli_EveryRoute_401()
    {
        var key = await _app.KeyAsync("admin", name: "to-revoke");
        (await _app.Client.GetAsync("/api/v1/status", key)).AssertOk();
        var id = key.Split('_')[1];

        var revoke = await _app.Cli("keys", "revoke", id, "--json");

        Assert.Equal(0, revoke.ExitCode);
        foreach (var route in AllRoutes)
            (await _app.Client.CallAsync(route, key)).AssertProblem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task NonBearerScheme_401()
    {
        var key = await _app.KeyAsync("admin");

        var answer = await _app.Client.SendAsync(HttpMethod.Get, "/api/v1/status", headers: new Dictionary<string, string> { ["Authorization"] = "Basic " + key });

        answer.AssertProblem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task RepeatedFailures_429WithRetryAfter_EvenForTheRightKey()
    {
        await using var app = await ConsoleApp.StartAsync(database, settings: new Dictionary<string, string?>
        {
            ["Dispatch:Console:FailedAuthLimit"] = "3",
            ["Dispatch:Console:FailedAuthWindow"] = "00:05:00",
        });
        var key = await app.KeyAsync("viewer");
        const string Wrong = "astra_aaaaaaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

        for (var i = 0; i < 3; i++)
            (await app.Client.GetAsync("/api/v1/status", Wrong)).AssertProblem(HttpStatusCode.Unauthorized);
        var limited = await app.Client.GetAsync("/api/v1/status", Wrong);
        var rightKey = await app.Client.GetAsync("/api/v1/status", key);

        limited.AssertProblem(HttpStatusCode.TooManyRequests);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero, limited.Headers.ToString());
        // Once an address is locked out, a right guess must not stand out from the wrong ones.
        rightKey.AssertProblem(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task OpenApiDocument_NoKeyNeeded_DescribesEveryRouteTheBearerSchemeAndProblems()
    {
        var answer = await _app.Client.GetAsync("/openapi/v1.json", key: null);

        var doc = answer.AssertOk();
        var paths = doc.GetProperty("paths");
        foreach (var route in AllRoutes)
        {
            var template = route.Path.Split('?')[0].Replace("/acme/", "/{tenant}/", StringComparison.Ordinal)
                .Replace("/crm", "/{id}", StringComparison.Ordinal).Replace("/msg_unknown", "/{deliveryId}", StringComparison.Ordinal)
                .Replace("/aaaaaaaaaaaaaaaa", "/{id}", StringComparison.Ordinal);
            Assert.True(paths.TryGetProperty(template, out var item), $"{template} missing from the OpenAPI document");
            var operation = item.GetProperty(route.Method.ToLowerInvariant());
            Assert.Equal("apiKey", operation.GetProperty("security")[0].EnumerateObject().Single().Name);
            Assert.True(operation.GetProperty("responses").TryGetProperty("401", out _), $"{route}: no 401");
        }
        var scheme = doc.GetProperty("components").GetProperty("securitySchemes").GetProperty("apiKey");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        var put = paths.GetProperty("/api/v1/tenants/{tenant}/rules/{id}").GetProperty("put");
        Assert.True(put.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/yaml", out _));
        var invalid = put.GetProperty("responses").GetProperty("422").GetProperty("content").GetProperty("application/problem+json");
        Assert.Contains("ValidationProblemResponse", invalid.GetProperty("schema").GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Responses_CarrySecurityHeaders_AndHealthNeedsNoKey()
    {
        var key = await _app.KeyAsync("viewer");
        var answer = await _app.Client.GetAsync("/api/v1/status", key);
        var ready = await _app.Client.GetAsync("/health/ready", key: null);
        var live = await _app.Client.GetAsync("/health/live", key: null);

        Assert.Equal("nosniff", answer.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", answer.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", answer.Headers.GetValues("Referrer-Policy").Single());
        Assert.True(answer.Headers.CacheControl?.NoStore);
        Assert.StartsWith("default-src 'none'", answer.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.False(answer.Headers.Contains("Server"));
        Assert.Equal("Healthy", ready.AssertOk().GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, live.Status);
    }

    [Fact]
    public async Task UnknownMethod_405Problem()
    {
        var key = await _app.KeyAsync("admin");

        var answer = await _app.Client.SendAsync(HttpMethod.Patch, "/api/v1/tenants/acme/rules/crm", key);

        answer.AssertProblem(HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task KeysCreateJson_PrintsKeyOnce_StoresOnlyAHash()
    {
        var created = await _app.Cli("keys", "create", "--role", "operator", "--tenant", "acme", "--name", "crm-sync", "--json");
        var list = await _app.Cli("keys", "list", "--json");

        Assert.Equal(0, created.ExitCode);
        var key = JsonDocument.Parse(created.Out).RootElement.GetProperty("key").GetString()!;
        Assert.Matches("^astra_[a-z2-7]{16}_[a-z2-7]{52}$", key);
        Assert.DoesNotContain(key.Split('_')[2], list.Out, StringComparison.Ordinal);
        var files = new[] { "", "-wal" }.Select(suffix => _app.Settings["Dispatch:Database"] + suffix).Where(File.Exists);
        foreach (var file in files)
        {
            using var copy = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(copy, System.Text.Encoding.Latin1);
            Assert.DoesNotContain(key.Split('_')[2], await reader.ReadToEndAsync(), StringComparison.Ordinal);
        }
        (await _app.Client.GetAsync("/api/v1/tenants/acme/rules", key)).AssertOk();
    }
}

/// <summary><see cref="AuthenticationTests"/> on SQLite.</summary>
public sealed class AuthenticationOnSqliteTests() : AuthenticationTests(ConsoleApp.Sqlite);

/// <summary><see cref="AuthenticationTests"/> on PostgreSQL.</summary>
public sealed class AuthenticationOnPostgresTests() : AuthenticationTests(ConsoleApp.Postgres);
