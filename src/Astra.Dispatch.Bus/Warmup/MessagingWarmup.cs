using System.Text.Json;
using Astra.Dispatch.Bus.Events;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Dispatching.Warmup;
using MassTransit;
using MassTransit.Serialization;

namespace Astra.Dispatch.Bus.Warmup;

/// <summary>
/// The bus side of the warm-up, without a message on the broker: the contract's messages through the serializer
/// settings MassTransit uses, and the send and publish endpoints the consumers will use (created and cached now, their
/// exchanges bound, instead of on the first event).
/// </summary>
internal sealed class MessagingWarmup(IBus bus) : IWarmupStep
{
    public string Name => "messaging";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var options = SystemTextJsonMessageSerializer.Options;
        var command = new SendHttpAction
        {
            DeliveryId = "msg_warmup",
            EventId = "evt_warmup",
            EventType = "lead.captured",
            TenantId = "astra-warmup",
            RuleId = "warmup",
            Method = "POST",
            Url = "https://warmup.invalid/hook",
            Body = "{}",
            ContentType = "application/json",
            Headers = new Dictionary<string, string> { ["X-Warmup"] = "1" },
        };
        JsonSerializer.Deserialize<SendHttpAction>(JsonSerializer.SerializeToUtf8Bytes(command, options), options);
        JsonSerializer.Deserialize<ConversationEvent>(
            """{"eventId":"evt_warmup","type":"lead.captured","tenantId":"astra-warmup","data":{"name":"Ada"}}"""u8, options);
        JsonSerializer.SerializeToUtf8Bytes(new ActionSucceeded { DeliveryId = command.DeliveryId, TenantId = command.TenantId, RuleId = command.RuleId }, options);
        JsonSerializer.SerializeToUtf8Bytes(new ActionFailed { DeliveryId = command.DeliveryId, TenantId = command.TenantId, RuleId = command.RuleId }, options);
        cancellationToken.ThrowIfCancellationRequested();
        await bus.GetSendEndpoint(ConversationEventConsumer.SendExchange);
        await bus.GetPublishSendEndpoint<ActionSucceeded>();
        await bus.GetPublishSendEndpoint<ActionFailed>();
    }
}
