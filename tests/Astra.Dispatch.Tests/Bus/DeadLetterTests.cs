using System.Text;
using Astra.Dispatch.Bus.Operations;
using RabbitMQ.Client;

namespace Astra.Dispatch.Tests.Bus;

/// <summary>A dead letter's tenant, which decides which tenant keys may see and move it.</summary>
public sealed class DeadLetterTests
{
    [Fact]
    public void From_RawCommand_TenantFromTheBody()
    {
        var letter = DeadLetter.From(1, new BasicProperties(), Encoding.UTF8.GetBytes("""{ "deliveryId": "msg_1", "ruleId": "crm", "tenantId": "acme" }"""));

        Assert.Equal(("msg_1", "crm", "acme"), (letter.Id, letter.RuleId, letter.TenantId));
    }

    [Fact]
    public void From_Envelope_TenantFromTheMessage_HeaderWins()
    {
        var envelope = Encoding.UTF8.GetBytes("""{ "message": { "eventId": "evt_1", "tenantId": "acme" } }""");

        var fromBody = DeadLetter.From(1, new BasicProperties(), envelope);
        var fromHeader = DeadLetter.From(1, new BasicProperties { Headers = new Dictionary<string, object?> { ["astra-tenant-id"] = Encoding.UTF8.GetBytes("globex") } }, envelope);

        Assert.Equal("acme", fromBody.TenantId);
        Assert.Equal("globex", fromHeader.TenantId);
    }

    [Fact]
    public void From_NotJson_NoTenant_SeenOnlyByUnscopedAdmins()
    {
        var letter = DeadLetter.From(3, new BasicProperties(), Encoding.UTF8.GetBytes("not json"));

        Assert.Null(letter.TenantId);
        Assert.True(DeadLetterScope.Everything.Sees(letter));
        Assert.False(new DeadLetterScope(null, Unattributed: false).Sees(letter));
        Assert.False(new DeadLetterScope("acme", Unattributed: false).Sees(letter));
    }
}
