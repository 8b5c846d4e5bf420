using System.Net;
using Astra.Dispatch.Security;

namespace Astra.Dispatch.Tests.Security;

/// <summary>What decides whether a failure's error may say why: only destinations known to be public.</summary>
public sealed class DestinationReachTests
{
    [Theory]
    [InlineData("93.184.215.14", true)]
    [InlineData("[2606:4700:4700::1111]", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("10.0.0.5", false)]
    [InlineData("[::1]", false)]
    [InlineData("[fd00::1]", false)]
    public void IsKnownPublic_Literal_ByItsRange(string host, bool known) => Assert.Equal(known, new DestinationReach().IsKnownPublic(host));

    [Fact]
    public void IsKnownPublic_Name_OnlyOnceEveryAddressItResolvedToWasPublic()
    {
        var reach = new DestinationReach();
        Assert.False(reach.IsKnownPublic("crm.example.com"));

        reach.Resolving("crm.example.com");
        Assert.False(reach.IsKnownPublic("crm.example.com"));
        reach.Resolved("crm.example.com", [IPAddress.Parse("93.184.215.14")]);
        Assert.True(reach.IsKnownPublic("CRM.example.com"));

        // Re-resolved (DNS rebinding): from the moment it is being resolved again, it is not known public.
        reach.Resolving("crm.example.com");
        Assert.False(reach.IsKnownPublic("crm.example.com"));
        reach.Resolved("crm.example.com", [IPAddress.Parse("93.184.215.14"), IPAddress.Parse("10.0.0.5")]);
        Assert.False(reach.IsKnownPublic("crm.example.com"));
    }

    [Fact]
    public void IsKnownPublic_ManyNames_MemoStaysBoundedAndForgetsToTheSafeSide()
    {
        var reach = new DestinationReach();
        reach.Resolved("first.example.com", [IPAddress.Parse("93.184.215.14")]);
        for (var i = 0; i < DestinationReach.MaxRemembered; i++)
            reach.Resolved($"h{i}.example.com", [IPAddress.Parse("93.184.215.14")]);

        Assert.False(reach.IsKnownPublic("first.example.com"));
    }
}
