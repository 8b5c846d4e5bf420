using System.Text.Json;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Dispatching;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Astra.Dispatch.Bus.Operations;

/// <summary>
/// Puts a command on <c>astra.dispatch.send</c> as the workers' own commands travel: plain JSON, persistent, mandatory
/// and confirmed by the broker, through the default exchange like a redriven dead letter.
/// </summary>
internal sealed class AmqpCommandSender(BrokerConnector broker, TimeProvider time) : IDeliveryCommandSender
{
    public async Task SendAsync(SendHttpAction command, CancellationToken cancellationToken)
    {
        await using var connection = await broker.ConnectAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(BrokerConnector.Confirms, cancellationToken);
        var properties = new BasicProperties
        {
            ContentType = "application/json",
            Persistent = true,
            MessageId = Guid.NewGuid().ToString(),
            Timestamp = new AmqpTimestamp(time.GetUtcNow().ToUnixTimeSeconds()),
        };
        try
        {
            await channel.BasicPublishAsync("", BusNames.SendQueue, mandatory: true, properties,
                JsonSerializer.SerializeToUtf8Bytes(command, JsonSerializerOptions.Web), cancellationToken);
        }
        catch (PublishException ex) when (ex.IsReturn)
        {
            throw new BrokerUnavailableException($"Queue {BusNames.SendQueue} does not exist on the broker (has a worker run against it yet?).");
        }
    }
}
