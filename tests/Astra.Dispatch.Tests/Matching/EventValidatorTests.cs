using System.Text.Json;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Matching;

namespace Astra.Dispatch.Tests.Matching;

public sealed class EventValidatorTests
{
    private static ConversationEvent Event(string eventId = "evt_1", string tenantId = "acme", string? agentId = "sales", string? conversationId = "conv_1") => new()
    {
        EventId = eventId,
        Type = "lead.captured",
        TenantId = tenantId,
        AgentId = agentId,
        ConversationId = conversationId,
        Data = JsonSerializer.SerializeToElement(new { }),
    };

    /// <summary>On main an eventId with CR/LF (or ESC, or a bidi override) was accepted and written to logs as it was.</summary>
    [Theory]
    [InlineData("evt\n2026-11-29 INFO forged line")]
    [InlineData("evt\r")]
    [InlineData("evt\u001b[31m")]
    [InlineData("evt\u0000")]
    [InlineData("evt\u2028")]
    [InlineData("evt\u202etxt.exe")]
    [InlineData("\u0085evt")]
    public void Validate_ControlCharacterInEventId_Refused(string eventId)
    {
        var reason = EventValidator.Validate(Event(eventId: eventId), 100);

        Assert.NotNull(reason);
        Assert.StartsWith("eventId holds a control or line-breaking character", reason, StringComparison.Ordinal);
    }

    /// <summary>
    /// On main any 1-200 characters without control characters were a tenant id: <c>Acme</c>, <c>../acme</c>,
    /// <c>acme/x</c> or a look-alike reached matching, and the tenant is what scopes rules and secrets.
    /// </summary>
    [Theory]
    [InlineData("Acme")]
    [InlineData("ACME")]
    [InlineData("../acme")]
    [InlineData("acme/x")]
    [InlineData("acme_eu")]
    [InlineData("-acme")]
    [InlineData(".")]
    [InlineData("acme ")]
    [InlineData("\u0430cme")]
    [InlineData("1234567890123456789012345678901234567890123456789012345678901234")]
    public void Validate_TenantIdNotOfTheContractsForm_PoisonNamingTheField(string tenantId)
    {
        var reason = EventValidator.Validate(Event(tenantId: tenantId), 100);

        Assert.Equal("tenantId is not a tenant id (1-63 characters of a-z, 0-9 and '-', starting with a letter or digit)", reason);
    }

    [Theory]
    [InlineData("acme")]
    [InlineData("acme-eu-1")]
    [InlineData("0")]
    public void Validate_TenantIdOfTheContractsForm_Accepted(string tenantId) => Assert.Null(EventValidator.Validate(Event(tenantId: tenantId), 100));

    [Fact]
    public void Validate_ControlCharacterInOtherIdentifiers_RefusedNamingTheField()
    {
        Assert.StartsWith("tenantId", EventValidator.Validate(Event(tenantId: "acme\n"), 100), StringComparison.Ordinal);
        Assert.StartsWith("agentId", EventValidator.Validate(Event(agentId: "sales\r\n"), 100), StringComparison.Ordinal);
        Assert.StartsWith("conversationId", EventValidator.Validate(Event(conversationId: "c\t1"), 100), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("evt_01JD4Q7X9ZK3")]
    [InlineData("b1f8c2a4-90e1-4c6e-8d7f-2a1c3e5b7d90")]
    [InlineData("évènement ✓ 日本")]
    public void Validate_OrdinaryEventIds_Accepted(string eventId) =>
        Assert.Null(EventValidator.Validate(Event(eventId: eventId), 100));

    [Fact]
    public void Validate_EventIdLength_StillOneTo200()
    {
        Assert.Null(EventValidator.Validate(Event(eventId: new string('e', 200)), 300));
        Assert.NotNull(EventValidator.Validate(Event(eventId: new string('e', 201)), 300));
        Assert.NotNull(EventValidator.Validate(Event(eventId: ""), 100));
    }
}
