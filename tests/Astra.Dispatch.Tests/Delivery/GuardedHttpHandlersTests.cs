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
        using var handler = new GuardedHttpHandlers(new SsrfGuard(new NetworkPolicy([]), new DnsHostResolver()), Some.Http()).Create();

        Assert.False(handler.AllowAutoRedirect);
        Assert.Equal(OutcomeKind.Permanent, OutcomeClassifier.Classify(308));
    }
}
