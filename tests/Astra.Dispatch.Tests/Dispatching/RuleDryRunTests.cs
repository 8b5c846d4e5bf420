using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Dispatching;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Tests.Support;

namespace Astra.Dispatch.Tests.Dispatching;

/// <summary>A rule against a sample event without sending: the checks, and the request as people may see it (credentials masked).</summary>
public sealed class RuleDryRunTests : IDisposable
{
    private const string Token = "tok-4f8a9c2e7b";

    private readonly DispatchHarness _h = new(secrets: [("CRM_TOKEN", Token), ("CRM_SIGNING", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]);
    private readonly RuleDryRun _dryRun;

    public RuleDryRunTests() => _dryRun = new RuleDryRun(_h.Matcher, _h.Renderer, _h.Redactor, _h.Sender, _h.Time);

    public void Dispose() => _h.Dispose();

    private Task<DryRunResult> RunAsync(RuleDefinition rule, ConversationEvent? e = null) =>
        _dryRun.RunAsync(rule.Compile(), e ?? Some.Event(new { email = "ada@example.com" }), _h.Token);

    [Fact]
    public async Task RunAsync_MatchingRule_MatchesWithEveryCheckAndTheRenderedRequest()
    {
        var result = await RunAsync(ARule.For().When("data.email != blank"));

        Assert.True(result.Matches);
        Assert.Equal(["enabled", "tenant", "type", "agent", "condition"], result.Checks.Select(c => c.Name));
        Assert.Null(result.RenderError);
        Assert.Equal(("POST", ARule.Url, """{ "email": "ada@example.com" }"""), (result.Request?.Method, result.Request?.Url, result.Request?.Body));
        Assert.Equal(DeliveryId.For("acme", "evt_1", "r1"), result.Command?.DeliveryId);
    }

    [Fact]
    public async Task RunAsync_NotMatching_SaysWhichCheckFailed_StillShowsTheRequest()
    {
        var result = await RunAsync(ARule.For(), Some.Event(new { email = "ada@example.com" }) with { TenantId = "globex" });

        Assert.False(result.Matches);
        Assert.Equal(["tenant"], result.Checks.Where(c => !c.Passed).Select(c => c.Name));
        Assert.NotNull(result.Request);
    }

    [Fact]
    public async Task RunAsync_TemplateCannotRender_RenderErrorAndNoRequest()
    {
        var result = await RunAsync(ARule.For().WithBody("{{ data.email }}"));

        Assert.StartsWith("rule r1: request.body: ", result.RenderError, StringComparison.Ordinal);
        Assert.Null(result.Request);
        Assert.Null(result.Command);
    }

    [Theory]
    [InlineData("bearer", null, "Authorization", "Bearer ***")]
    [InlineData("basic", null, "Authorization", "Basic ***")]
    [InlineData("header", "X-Api-Key", "X-Api-Key", "***")]
    public async Task RunAsync_HeaderAuth_ShownMasked(string type, string? name, string header, string shown)
    {
        var result = await RunAsync(ARule.For().WithAuth(type, "CRM_TOKEN", name, username: type == "basic" ? "astra" : null));

        Assert.Equal(shown, result.Request?.Headers[header]);
        Assert.DoesNotContain(Token, Show(result), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ARule.Url, ARule.Url + "?api_key=***")]
    [InlineData(ARule.Url + "?source=astra", ARule.Url + "?source=astra&api_key=***")]
    public async Task RunAsync_QueryAuth_ShownMaskedInTheUrl(string url, string shown)
    {
        var result = await RunAsync(ARule.For().To(url).WithAuth("query", "CRM_TOKEN", "api_key"));

        Assert.Equal(shown, result.Request?.Url);
    }

    [Fact]
    public async Task RunAsync_Signing_SignatureShownAsV1Masked()
    {
        var result = await RunAsync(ARule.For().SignedWith("CRM_SIGNING"));

        Assert.Equal("v1,***", result.Request?.Headers["webhook-signature"]);
    }

    [Fact]
    public async Task RunAsync_SecretValueInTheEventData_MaskedInUrlHeadersAndBody()
    {
        var rule = ARule.For().To(ARule.Url + "?ref={{ data.note }}").WithHeader("X-Note", "{{ data.note }}")
            .WithBody("""{ "note": {{ data.note | json }} }""").WithAuth("bearer", "CRM_TOKEN");

        var result = await RunAsync(rule, Some.Event(new { note = $"my token is {Token}" }));

        Assert.NotNull(result.Request);
        Assert.DoesNotContain(Token, Show(result), StringComparison.Ordinal);
        Assert.Equal("""{ "note": "my token is ***" }""", result.Request.Body);
        Assert.Equal("my token is ***", result.Request.Headers["X-Note"]);
        Assert.EndsWith("?ref=my%20token%20is%20***", result.Request.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendOnceAsync_SendsUnderItsOwnDeliveryId_OutcomeRedacted()
    {
        var result = await RunAsync(ARule.For().WithAuth("bearer", "CRM_TOKEN"));
        _h.Sender.Answer(Outcomes.Http(401, body: $$"""{"got":"Bearer {{Token}}"}""") with { Error = $"HTTP 401 for {Token}" });

        var outcome = await _dryRun.SendOnceAsync(result, _h.Token);

        var sent = Assert.Single(_h.Sender.Sent);
        Assert.NotEqual(result.Command?.DeliveryId, sent.DeliveryId);
        Assert.Equal(result.Command?.Body, sent.Body);
        Assert.Equal("HTTP 401 for ***", outcome.Error);
        Assert.DoesNotContain(Token, outcome.ResponseBody, StringComparison.Ordinal);
    }

    private static string Show(DryRunResult result) =>
        $"{result.Request?.Url} {string.Join(" ", result.Request?.Headers.Select(h => $"{h.Key}: {h.Value}") ?? [])} {result.Request?.Body}";
}
