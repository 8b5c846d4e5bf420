using Astra.Dispatch.Delivery;
using Astra.Dispatch.Security;
using Astra.Dispatch.Tests.Support;

namespace Astra.Dispatch.Tests.Delivery;

/// <summary>The outbound handler's settings that the outcome contract relies on.</summary>
public sealed class GuardedHttpHandlersTests
{
    [Fact]
    public void Create_RedirectsNotFollowed_SoA3xxReachesTheClassifierAsAPermanentFailure()
    {
        var policies = new NetworkPolicies(new NetworkOptions());
        using var handler = new GuardedHttpHandlers(new SsrfGuard(policies, new DnsHostResolver(), new DestinationReach()), Some.Http()).Create(policies.Default);

        Assert.False(handler.AllowAutoRedirect);
        Assert.Equal(OutcomeKind.Permanent, OutcomeClassifier.Classify(308));
    }
}
