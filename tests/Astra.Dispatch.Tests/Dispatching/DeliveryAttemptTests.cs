using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Dispatching;
using Astra.Dispatch.Security;
using Astra.Dispatch.Storage;
using Astra.Dispatch.Tests.Support;

namespace Astra.Dispatch.Tests.Dispatching;

/// <summary>One attempt, end to end through the core: rule checks, send, redaction, the log entry and the decision.</summary>
public sealed class DeliveryAttemptTests : IDisposable
{
    private readonly DispatchHarness _h = new(jitter: 0, ("CRM_TOKEN", "tok-4f8a9c2e7b"));

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task RunAsync_2xx_DeliveredWithItsResultAndLoggedSucceeded()
    {
        await _h.AddRulesAsync(ARule.For());
        _h.Sender.Answer(Outcomes.Http(201));
        var command = DispatchHarness.Command();

        var decision = await _h.RunAsync(command);

        var result = Assert.IsType<DeliveryDecision.Delivered>(decision).Result;
        Assert.NotNull(result);
        Assert.Equal((command.DeliveryId, "r1", DeliveryStatus.Succeeded, 1, 201), (result.DeliveryId, result.RuleId, result.Status, result.Attempts, result.HttpStatus));
        Assert.Null(result.Response);
        Assert.Null(decision.Paused);
        Assert.Equal(command, Assert.Single(_h.Sender.Sent));
        var entry = Assert.Single(_h.Log.Attempts);
        Assert.Equal((1, 201, "succeeded", DeliveryStatus.Succeeded, (DateTimeOffset?)null), (entry.Attempt, entry.StatusCode, entry.Outcome, entry.Status, entry.NextAttemptAt));
        Assert.Equal(DeliveryStatus.Succeeded, await _h.Log.GetStatusAsync(command.DeliveryId, _h.Token));
    }

    [Fact]
    public async Task RunAsync_SuccessesNotPublished_OnlyRulesThatCaptureTheirResponsePublish()
    {
        _h.Results.PublishSucceeded = false;
        await _h.AddRulesAsync(ARule.For("plain"), ARule.For("capturing").CapturingResponse());
        _h.Sender.Answer(Outcomes.Http(200, body: """{"id":42}"""), Outcomes.Http(200, body: """{"id":43}"""));

        var plain = await _h.RunAsync(DispatchHarness.Command("plain"));
        var capturing = await _h.RunAsync(DispatchHarness.Command("capturing"));

        Assert.Null(Assert.IsType<DeliveryDecision.Delivered>(plain).Result);
        var result = Assert.IsType<DeliveryDecision.Delivered>(capturing).Result;
        Assert.Equal(43, result?.Response?.GetProperty("id").GetInt32());
        Assert.All(_h.Log.Attempts, a => Assert.Equal(DeliveryStatus.Succeeded, a.Status));
    }

    [Fact]
    public async Task RunAsync_MayBeHandledAndTheLogSaysSucceeded_AlreadyDeliveredWithoutSending()
    {
        await _h.AddRulesAsync(ARule.For());
        var command = DispatchHarness.Command();
        await DeliveredElsewhereAsync(command);

        var decision = await _h.RunAsync(command, new AttemptInfo(AttemptsSoFar: 1, DeferralsSoFar: 0, MayBeHandled: true));

        Assert.IsType<DeliveryDecision.AlreadyDelivered>(decision);
        Assert.Empty(_h.Sender.Sent);
        Assert.Equal(1, _h.Log.StatusReads);
    }

    [Fact]
    public async Task RunAsync_FreshCommand_TheLogIsNotAsked_TheClaimFindsTheSuccess()
    {
        await _h.AddRulesAsync(ARule.For());
        var command = DispatchHarness.Command();
        await DeliveredElsewhereAsync(command);

        var decision = await _h.RunAsync(command, AttemptInfo.First);

        // The hot path reads no status: the claim taken before sending is what finds the delivery already succeeded.
        Assert.IsType<DeliveryDecision.AlreadyDelivered>(decision);
        Assert.Empty(_h.Sender.Sent);
        Assert.Equal(0, _h.Log.StatusReads);
    }

    [Fact]
    public async Task RunAsync_DeliveredByThisProcessBefore_AlreadyDeliveredFromMemory()
    {
        await _h.AddRulesAsync(ARule.For());
        var command = DispatchHarness.Command();
        await _h.RunAsync(command);

        var again = await _h.RunAsync(command, AttemptInfo.First);

        Assert.IsType<DeliveryDecision.AlreadyDelivered>(again);
        Assert.Single(_h.Sender.Sent);
        Assert.Equal(0, _h.Log.StatusReads);
    }

    [Theory]
    [InlineData("missing", "rule r1 does not exist for tenant acme")]
    [InlineData("other-tenant", "rule r1 does not exist for tenant globex")]
    [InlineData("disabled", "rule r1 is disabled")]
    [InlineData("paused", "rule r1 is paused: endpoint gone")]
    public async Task RunAsync_RuleCannotSend_FailsNotSentWithoutCallingTheEndpoint(string state, string error)
    {
        if (state != "missing")
            await _h.AddRulesAsync(ARule.For());
        if (state == "disabled")
            await _h.DisableAsync("r1");
        if (state == "paused")
            await _h.DisableAsync("r1", "endpoint gone");
        var command = DispatchHarness.Command(tenant: state == "other-tenant" ? "globex" : "acme");

        var decision = await _h.RunAsync(command, new AttemptInfo(2, 0, MayBeHandled: true));

        var fail = Assert.IsType<DeliveryDecision.Fail>(decision);
        Assert.Equal((error, DeliveryStatus.Failed, 2, (int?)null), (fail.Result.Error, fail.Result.Status, fail.Attempts, fail.LastStatus));
        Assert.Empty(_h.Sender.Sent);
        var entry = Assert.Single(_h.Log.Attempts);
        Assert.Equal((AttemptOutcomes.NotSent, DeliveryStatus.Failed, error), (entry.Outcome, entry.Status, entry.Error));
    }

    [Fact]
    public async Task RunAsync_Transient_RetryOnTheTierWithTheJitteredWait_LoggedRetryingWithTheNextAttemptTime()
    {
        await _h.AddRulesAsync(ARule.For());
        _h.Sender.Answer(Outcomes.Http(503), Outcomes.TimedOut);
        var command = DispatchHarness.Command();

        var first = await _h.RunAsync(command);
        var second = await _h.RunAsync(command, new AttemptInfo(1, 0, MayBeHandled: true));

        Assert.Equal(new DeliveryDecision.Retry(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(4), AttemptsSoFar: 1), first);
        Assert.Equal(new DeliveryDecision.Retry(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(4), AttemptsSoFar: 2), second);
        var entries = _h.Log.Attempts;
        Assert.Equal((1, 503, "transient", DeliveryStatus.Retrying), (entries[0].Attempt, entries[0].StatusCode, entries[0].Outcome, entries[0].Status));
        Assert.Equal(Outcomes.Now + TimeSpan.FromMilliseconds(40) + TimeSpan.FromSeconds(4), entries[0].NextAttemptAt);
        Assert.Equal((2, (int?)null, "timed out after 10s"), (entries[1].Attempt, entries[1].StatusCode, entries[1].Error));
        Assert.Equal(Outcomes.Now + TimeSpan.FromSeconds(10) + TimeSpan.FromMinutes(4), entries[1].NextAttemptAt);
        Assert.Equal(DeliveryStatus.Retrying, await _h.Log.GetStatusAsync(command.DeliveryId, _h.Token));
    }

    [Fact]
    public async Task RunAsync_TransientOnTheLastAttempt_FailsGaveUp()
    {
        await _h.AddRulesAsync(ARule.For().RetryingAfter("1s"));
        _h.Sender.Answer(Outcomes.Http(502));

        var decision = await _h.RunAsync(DispatchHarness.Command(), new AttemptInfo(1, 3, MayBeHandled: true));

        var fail = Assert.IsType<DeliveryDecision.Fail>(decision);
        Assert.Equal(("gave up after 2 attempts: HTTP 502", 2, (int?)502), (fail.Result.Error, fail.Attempts, fail.LastStatus));
        Assert.Equal(DeliveryStatus.Failed, Assert.Single(_h.Log.Attempts).Status);
    }

    [Fact]
    public async Task RunAsync_Permanent_FailsAtOnce()
    {
        await _h.AddRulesAsync(ARule.For());
        _h.Sender.Answer(Outcomes.Http(422));

        var fail = Assert.IsType<DeliveryDecision.Fail>(await _h.RunAsync(DispatchHarness.Command()));

        Assert.Equal(("HTTP 422", 1, (int?)422, 422), (fail.Result.Error, fail.Attempts, fail.LastStatus, fail.Result.HttpStatus));
        Assert.Null(fail.Paused);
        Assert.Equal(("permanent", DeliveryStatus.Failed), (_h.Log.Attempts[0].Outcome, _h.Log.Attempts[0].Status));
    }

    [Fact]
    public async Task RunAsync_EndpointEchoesTheSecret_MaskedInTheLogAndTheResult()
    {
        await _h.AddRulesAsync(ARule.For().WithAuth("bearer", "CRM_TOKEN"));
        var echo = Outcomes.Http(400, body: """{"received":"Bearer tok-4f8a9c2e7b","password":"hunter2"}""") with { Error = "HTTP 400: bad token tok-4f8a9c2e7b" };
        _h.Sender.Answer(echo);

        var fail = Assert.IsType<DeliveryDecision.Fail>(await _h.RunAsync(DispatchHarness.Command()));

        var entry = Assert.Single(_h.Log.Attempts);
        Assert.Equal($"HTTP 400: bad token {Redactor.Mask}", entry.Error);
        Assert.Equal(entry.Error, fail.Result.Error);
        Assert.DoesNotContain("tok-4f8a9c2e7b", entry.ResponseExcerpt, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", entry.ResponseExcerpt, StringComparison.Ordinal);
        var stored = Assert.Single(await _h.Log.ListAttemptsAsync(entry.DeliveryId, _h.Token));
        Assert.DoesNotContain("tok-4f8a9c2e7b", stored.Error + stored.ResponseExcerpt, StringComparison.Ordinal);
    }

    /// <summary>Another worker delivered it: the log says succeeded, this process has no memory of it.</summary>
    private async Task DeliveredElsewhereAsync(SendHttpAction command) =>
        await _h.Log.AppendAsync(new AttemptRecorded(command.DeliveryId, Outcomes.Now.AddSeconds(-5), command.EventId, command.EventType, command.RuleId,
            command.TenantId, 1, 12, 200, "succeeded", null, null, DeliveryStatus.Succeeded, null), _h.Token);
}
