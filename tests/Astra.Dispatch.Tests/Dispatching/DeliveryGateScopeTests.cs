using Astra.Dispatch.Delivery;
using Astra.Dispatch.Dispatching;
using Astra.Dispatch.Security;
using Astra.Dispatch.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Astra.Dispatch.Tests.Dispatching;

/// <summary>
/// A guard refusal is transient (so it reads like a timeout), and unanswered calls open a destination's circuit. The
/// circuit is kept per network policy: a tenant that may not reach an in-house API cannot, by pointing its rules at it,
/// open the circuit of the tenant that may.
/// </summary>
public sealed class DeliveryGateScopeTests : IDisposable
{
    private static readonly Uri Inhouse = new("https://tickets.internal.example.com/api");

    private readonly FakeTimeProvider _time = new(Outcomes.Now);
    private readonly RuleRateLimiters _rates = new(new SingleSendConsumer());

    public void Dispose() => _rates.Dispose();

    [Fact]
    public async Task EnterAsync_ATenantsRefusalsOpenedItsCircuit_ATenantWithAnotherPolicyStillAdmitted()
    {
        var http = new HttpDeliveryOptions { BreakerThreshold = 2 };
        var policies = new NetworkPolicies(new NetworkOptions
        {
            Tenants = new() { ["acme"] = new TenantNetworkOptions { AllowedNetworks = ["10.20.0.0/16"] } },
        });
        var gate = new DeliveryGate(new DestinationBreaker(Options.Create(http), _time, NullLogger<DestinationBreaker>.Instance), _rates,
            new TenantLimiter(Options.Create(http)), new DestinationLimiter(Options.Create(http)), policies);
        var unreachable = new AttemptOutcome(OutcomeKind.Transient, null, HttpActionSender.Unreachable(Inhouse), TimeSpan.FromMilliseconds(1));
        gate.Record("evil", Inhouse, unreachable);
        gate.Record("evil", Inhouse, unreachable);

        var evil = await gate.EnterAsync(ARule.For("r1", "evil").Compile(), DispatchHarness.Command("r1", "evil", url: Inhouse.ToString()), Inhouse, CancellationToken.None);
        var acme = await gate.EnterAsync(ARule.For("r1", "acme").Compile(), DispatchHarness.Command("r1", "acme", url: Inhouse.ToString()), Inhouse, CancellationToken.None);

        Assert.IsType<Admission.Refused>(evil);
        using var leases = Assert.IsType<Admission.Admitted>(acme).Leases;
    }
}
