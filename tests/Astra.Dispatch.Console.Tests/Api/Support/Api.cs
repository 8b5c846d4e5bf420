using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Astra.Dispatch.Console.Tests.Api.Support;

/// <summary>One HTTP call to the API and its answer, with the body parsed when it is JSON.</summary>
public sealed record ApiAnswer(HttpStatusCode Status, string? MediaType, string Text, HttpResponseHeaders Headers)
{
    public JsonElement Json => JsonDocument.Parse(Text).RootElement;

    public string? ETag => Headers.ETag?.ToString();

    public override string ToString() => $"{(int)Status} {MediaType}: {Text}";
}

public static class Api
{
    public static async Task<ApiAnswer> SendAsync(this HttpClient client, HttpMethod method, string path, string? key = null, string? body = null,
        string contentType = "application/json", IDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (key is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, contentType);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            request.Headers.TryAddWithoutValidation(name, value);
        using var response = await client.SendAsync(request);
        return new ApiAnswer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(), response.Headers);
    }

    public static Task<ApiAnswer> GetAsync(this HttpClient client, string path, string? key) => client.SendAsync(HttpMethod.Get, path, key);

    /// <summary>Asserts an RFC 9457 answer with this status.</summary>
    public static JsonElement AssertProblem(this ApiAnswer answer, HttpStatusCode status)
    {
        Assert.True(answer.Status == status, $"expected {(int)status}, got {answer}");
        Assert.Equal("application/problem+json", answer.MediaType);
        var problem = answer.Json;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.True(problem.TryGetProperty("title", out _), answer.Text);
        return problem;
    }

    public static JsonElement AssertOk(this ApiAnswer answer, HttpStatusCode status = HttpStatusCode.OK)
    {
        Assert.True(answer.Status == status, $"expected {(int)status}, got {answer}");
        return answer.Status == HttpStatusCode.NoContent ? default : answer.Json;
    }
}

/// <summary>Every route of the API, with a body that would be accepted, for the tests that go through all of them.</summary>
public static class Routes
{
    public sealed record Route(string Method, string Path, string? Body, string ContentType = "application/json", bool Write = false, string MinRole = "viewer")
    {
        public override string ToString() => $"{Method} {Path}";
    }

    public const string RuleYaml = """
        name: Leads to the CRM
        trigger: { events: [lead.captured] }
        request:
          method: POST
          url: "https://crm.example.com/leads"
          body: '{ "email": {{ data.email | json }} }'
        """;

    public const string SampleEvent = """{ "type": "lead.captured", "data": { "email": "ada@example.com" } }""";

    /// <summary>The tenant routes, for <paramref name="tenant"/>'s rule <paramref name="rule"/> and delivery <paramref name="delivery"/>.</summary>
    public static IReadOnlyList<Route> OfTenant(string tenant, string rule = "crm", string delivery = "msg_unknown") =>
    [
        new("GET", $"/api/v1/tenants/{tenant}/rules", null),
        new("GET", $"/api/v1/tenants/{tenant}/rules/{rule}", null),
        new("PUT", $"/api/v1/tenants/{tenant}/rules/{rule}", RuleYaml, "application/yaml", Write: true, MinRole: "operator"),
        new("POST", $"/api/v1/tenants/{tenant}/rules/{rule}/enable", null, Write: true, MinRole: "operator"),
        new("POST", $"/api/v1/tenants/{tenant}/rules/{rule}/disable", null, Write: true, MinRole: "operator"),
        new("POST", $"/api/v1/tenants/{tenant}/rules/{rule}/test", SampleEvent),
        new("GET", $"/api/v1/tenants/{tenant}/rules/{rule}/revisions", null),
        new("DELETE", $"/api/v1/tenants/{tenant}/rules/{rule}", null, Write: true, MinRole: "operator"),
        new("GET", $"/api/v1/tenants/{tenant}/deliveries", null),
        new("GET", $"/api/v1/tenants/{tenant}/deliveries/{delivery}", null),
        new("POST", $"/api/v1/tenants/{tenant}/deliveries/{delivery}/resend", null, Write: true, MinRole: "operator"),
    ];

    /// <summary>The routes of no one tenant.</summary>
    public static IReadOnlyList<Route> Global { get; } =
    [
        new("GET", "/api/v1/dead-letters?queue=send", null, MinRole: "operator"),
        new("POST", "/api/v1/dead-letters/redrive", """{ "ids": ["msg_none"] }""", Write: true, MinRole: "operator"),
        new("GET", "/api/v1/status", null),
        new("GET", "/api/v1/audit", null),
        new("GET", "/api/v1/keys", null, MinRole: "admin"),
        new("POST", "/api/v1/keys", """{ "role": "viewer", "name": "made-by-test" }""", Write: true, MinRole: "admin"),
        new("DELETE", "/api/v1/keys/aaaaaaaaaaaaaaaa", null, Write: true, MinRole: "admin"),
    ];

    public static Task<ApiAnswer> CallAsync(this HttpClient client, Route route, string? key) =>
        client.SendAsync(new HttpMethod(route.Method), route.Path, key, route.Body, route.ContentType);
}
