using Astra.Dispatch.Contracts;
using Astra.Dispatch.Dispatching;
using Astra.Dispatch.Tests.Support;

namespace Astra.Dispatch.Tests.Dispatching;

/// <summary>
/// A delay tier the broker refuses (a queue of that name with another TTL) fails the deliveries that would wait in it,
/// with a clear error, and moves deferrals to another tier. On main the refusal stopped the worker at start, or threw
/// out of the consumer for a tier first needed later.
/// </summary>
public sealed class DeliveryAttemptDelayTierTests : IDisposable
{
    private readonly DispatchHarness _h = new(jitter: 0);

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task RunAsync_TransientWhoseRetryTierIsRefused_FailsWithTheReasonInsteadOfRetrying()
    {
        await _h.AddRulesAsync(ARule.For().RetryingAfter("5s", "1m"));
        _h.Tiers.Refuse(TimeSpan.FromSeconds(5));
        _h.Sender.Answer(Outcomes.Http(503));

        var fail = Assert.IsType<DeliveryDecision.Fail>(await _h.RunAsync(DispatchHarness.Command()));

        Assert.Equal("not retried: its retry delay 5s cannot be used (the broker refused to declare that delay tier's queue; see the worker's log); last error: HTTP 503",
            fail.Result.Error);
        Assert.Equal(DeliveryStatus.Failed, Assert.Single(_h.Log.Attempts).Status);
    }

    [Fact]
    public async Task RunAsync_RetryTierAvailable_RetriedAsBefore()
    {
        await _h.AddRulesAsync(ARule.For().RetryingAfter("5s", "1m"));
        _h.Tiers.Refuse(TimeSpan.FromMinutes(1));
        _h.Sender.Answer(Outcomes.Http(503));

        Assert.IsType<DeliveryDecision.Retry>(await _h.RunAsync(DispatchHarness.Command()));
    }

    [Fact]
    public async Task RunAsync_DeferredIntoARefusedTier_DeferredThroughTheNextLongerOne()
    {
        _h.Http.MaxConcurrencyPerTenant = 1;
        await _h.AddRulesAsync(ARule.For());
        _h.Tiers.Refuse(TimeSpan.FromSeconds(5));
        _ = _h.Sender.Hold();
        _ = _h.RunAsync(DispatchHarness.Command(eventId: "evt_1"));
        await _h.Sender.WaitForSentAsync(1).WaitAsync(_h.Token);

        var deferred = await _h.RunAsync(DispatchHarness.Command(eventId: "evt_2"), new AttemptInfo(0, 2, MayBeHandled: true));

        Assert.Equal(new DeliveryDecision.Defer(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(8), 0, 3, "tenant at its concurrency cap"), deferred);
    }

    [Fact]
    public async Task RunAsync_EveryDeferralTierRefused_FailsNotSentWithTheReason()
    {
        _h.Http.MaxConcurrencyPerTenant = 1;
        await _h.AddRulesAsync(ARule.For());
        _h.Tiers.Refuse([.. Astra.Dispatch.Delivery.RetrySchedule.DeferTiers]);
        _ = _h.Sender.Hold();
        _ = _h.RunAsync(DispatchHarness.Command(eventId: "evt_1"));
        await _h.Sender.WaitForSentAsync(1).WaitAsync(_h.Token);

        var fail = Assert.IsType<DeliveryDecision.Fail>(await _h.RunAsync(DispatchHarness.Command(eventId: "evt_2")));

        Assert.StartsWith("deferred (tenant at its concurrency cap), but no deferral delay tier can be used", fail.Result.Error, StringComparison.Ordinal);
        Assert.Single(_h.Sender.Sent);
    }
}
