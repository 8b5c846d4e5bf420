using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Dispatching;
using Astra.Dispatch.Tests.Support;

namespace Astra.Dispatch.Tests.Dispatching;

/// <summary>
/// A command is re-validated against its rule before anything is sent: its URL's scheme, host and port must be the
/// rule's pinned origin, its method the rule's, and it may not carry headers no rule may set. On main the send side
/// trusted the command's URL and sent it the rule's credentials whatever host it named (forged on the broker, or stale).
/// </summary>
public sealed class DeliveryAttemptCommandCheckTests : IDisposable
{
    private readonly DispatchHarness _h = new(jitter: 0, ("CRM_TOKEN", "tok-4f8a9c2e7b"));

    public void Dispose() => _h.Dispose();

    [Theory]
    [InlineData("https://evil.example.net/api/leads", "origin https://evil.example.net:443 is not rule r1's https://crm.example.com:443")]
    [InlineData("http://crm.example.com/api/leads", "origin http://crm.example.com:80 is not")]
    [InlineData("https://crm.example.com:8443/api/leads", "origin https://crm.example.com:8443 is not")]
    [InlineData("https://crm.example.com.evil.example.net/x", "is not rule r1's")]
    [InlineData("https://user:pw@crm.example.com/api/leads", "holds credentials")]
    [InlineData("not a url", "not an absolute http(s) URL")]
    public async Task RunAsync_CommandUrlOutsideTheRulesOrigin_FailsPermanentlyWithoutSending(string url, string error)
    {
        await _h.AddRulesAsync(ARule.For().WithAuth("bearer", "CRM_TOKEN"));
        var command = DispatchHarness.Command() with { Url = url };

        var decision = await _h.RunAsync(command);

        var fail = Assert.IsType<DeliveryDecision.Fail>(decision);
        Assert.Contains(error, fail.Result.Error, StringComparison.Ordinal);
        Assert.StartsWith("command refused: ", fail.Result.Error, StringComparison.Ordinal);
        Assert.Empty(_h.Sender.Sent);
        var entry = Assert.Single(_h.Log.Attempts);
        Assert.Equal((AttemptOutcomes.NotSent, DeliveryStatus.Failed), (entry.Outcome, entry.Status));
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("post")]
    [InlineData("DELETE")]
    public async Task RunAsync_MethodNotTheRules_FailsWithoutSending(string method)
    {
        await _h.AddRulesAsync(ARule.For());

        var fail = Assert.IsType<DeliveryDecision.Fail>(await _h.RunAsync(DispatchHarness.Command() with { Method = method }));

        Assert.Equal($"command refused: method {method} is not rule r1's POST", fail.Result.Error);
        Assert.Empty(_h.Sender.Sent);
    }

    [Theory]
    [InlineData("Host", "crm.example.com", "sets the header Host")]
    [InlineData("Transfer-Encoding", "chunked", "sets the header Transfer-Encoding")]
    [InlineData("X-Note", "a\r\nHost: evil", "CR, LF or control characters")]
    public async Task RunAsync_ForbiddenOrBrokenHeader_FailsWithoutSending(string name, string value, string error)
    {
        await _h.AddRulesAsync(ARule.For());
        var command = DispatchHarness.Command() with { Headers = new Dictionary<string, string> { [name] = value } };

        var fail = Assert.IsType<DeliveryDecision.Fail>(await _h.RunAsync(command));

        Assert.Contains(error, fail.Result.Error, StringComparison.Ordinal);
        Assert.Empty(_h.Sender.Sent);
    }

    [Theory]
    [InlineData("https://crm.example.com/api/leads/42?x=1")]
    [InlineData("https://CRM.Example.com:443/other")]
    public async Task RunAsync_SameOriginOtherPath_Sent(string url)
    {
        await _h.AddRulesAsync(ARule.For());

        Assert.IsType<DeliveryDecision.Delivered>(await _h.RunAsync(DispatchHarness.Command() with { Url = url }));

        Assert.Equal(url, Assert.Single(_h.Sender.Sent).Url);
    }
}
