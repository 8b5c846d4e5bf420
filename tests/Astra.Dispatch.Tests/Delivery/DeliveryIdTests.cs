using Astra.Dispatch.Delivery;

namespace Astra.Dispatch.Tests.Delivery;

public sealed class DeliveryIdTests
{
    [Fact]
    public void For_SameInputs_SameId() =>
        Assert.Equal(DeliveryId.For("acme", "evt_1", "crm"), DeliveryId.For("acme", "evt_1", "crm"));

    [Fact]
    public void For_KnownInput_IsStableAcrossVersions()
    {
        var id = DeliveryId.For("acme", "evt_01JD", "crm-new-lead");
        Assert.Matches("^msg_[a-z2-7]{32}$", id);
        // Pinned (computed independently: SHA-256 of "4:acme|8:evt_01JD|12:crm-new-lead", 20 bytes, RFC 4648 base32):
        // changing the derivation would break idempotency for deliveries in flight during an upgrade.
        Assert.Equal("msg_r5gkdpsyokiarju7w6z72qxjhlemydd6", id);
    }

    [Theory]
    [InlineData("acme", "evt_1", "crm", "acme", "evt_1", "crm2")]
    [InlineData("acme", "evt_1", "crm", "acme", "evt_2", "crm")]
    [InlineData("acme", "evt_1", "crm", "other", "evt_1", "crm")]
    [InlineData("a|b", "c", "r", "a", "b|c", "r")]
    [InlineData("ab", "c", "r", "a", "bc", "r")]
    public void For_DifferentInputs_DifferentIds(string t1, string e1, string r1, string t2, string e2, string r2) =>
        Assert.NotEqual(DeliveryId.For(t1, e1, r1), DeliveryId.For(t2, e2, r2));
}
