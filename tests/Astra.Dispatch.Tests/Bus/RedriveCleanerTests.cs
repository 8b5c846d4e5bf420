using System.Text;
using System.Text.Json;
using Astra.Dispatch.Bus.Operations;
using RabbitMQ.Client;

namespace Astra.Dispatch.Tests.Bus;

public sealed class RedriveCleanerTests
{
    private static readonly string[] Stale =
        ["MT-Redelivery-Count", "MT-Reason", "MT-Fault-Message", "MT-Fault-Timestamp", "x-death", "x-first-death-queue", "astra-attempts", "astra-rule-id"];

    [Fact]
    public void Properties_FaultHeaders_AreStrippedAndOthersKept()
    {
        var headers = Stale.ToDictionary(h => h, object? (h) => Encoding.UTF8.GetBytes("x"));
        headers["MT-OriginalMessageId"] = Encoding.UTF8.GetBytes("m1");
        var original = new BasicProperties { Headers = headers, MessageId = "m2", Expiration = "1000" };

        var cleaned = RedriveCleaner.Properties(original);

        Assert.Equal(["MT-OriginalMessageId"], cleaned.Headers!.Keys);
        Assert.Equal("m2", cleaned.MessageId);
        Assert.Null(cleaned.Expiration);
        Assert.True(cleaned.Persistent);
    }

    /// <summary>
    /// On main a redrive copied <c>user_id</c>: RabbitMQ refuses the CLI's publish under another broker user, and a
    /// redrive under the CLI's own user would vouch for an event refused for its publisher (Dispatch:Tenancy:Publishers).
    /// </summary>
    [Fact]
    public void Properties_UserId_Removed()
    {
        var original = new BasicProperties { UserId = "agent-runtime-evil", MessageId = "m1", Headers = new Dictionary<string, object?> { ["astra-publisher"] = "agent-runtime-evil"u8.ToArray() } };

        var cleaned = RedriveCleaner.Properties(original);

        Assert.False(cleaned.IsUserIdPresent());
        Assert.Empty(cleaned.Headers!);
    }

    [Fact]
    public void Body_EnvelopeHeaders_AreStrippedAndMessageKept()
    {
        var envelope = new Dictionary<string, object>
        {
            ["messageId"] = "m1",
            ["headers"] = Stale.ToDictionary(h => h, object (_) => 3).Append(new("keep-me", "yes")).ToDictionary(),
            ["message"] = new { deliveryId = "msg_1", ruleId = "r" },
        };

        var body = RedriveCleaner.Body(JsonSerializer.SerializeToUtf8Bytes(envelope));

        var root = JsonDocument.Parse(body).RootElement;
        Assert.Equal(["keep-me"], root.GetProperty("headers").EnumerateObject().Select(p => p.Name));
        Assert.Equal("msg_1", root.GetProperty("message").GetProperty("deliveryId").GetString());
    }

    [Fact]
    public void Body_RawEvent_IsLeftAsIs()
    {
        var raw = Encoding.UTF8.GetBytes("""{"eventId":"e1","type":"t","tenantId":"a","headers":{"MT-Reason":"x"}}""");

        var body = RedriveCleaner.Body(raw);

        Assert.Equal(raw, body.ToArray());
    }
}
