using System.Text;
using Astra.Dispatch.Bus.Operations;
using Astra.Dispatch.Cli.Infrastructure;
using Astra.Dispatch.Contracts;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Astra.Dispatch.Cli.Events;

internal sealed class EventsPublishCommand(CliOutput output) : DispatchCommand<EventsPublishSettings>(output)
{
    protected override async Task<int> RunAsync(EventsPublishSettings settings, IServiceProvider services, CancellationToken cancellationToken)
    {
        var json = await EventInput.ReadObjectAsync(settings.Path, cancellationToken);
        if (settings.Type is not null)
            json["type"] = settings.Type;
        if (settings.Tenant is not null)
            json["tenantId"] = settings.Tenant;
        if (json["eventId"] is null)
            json["eventId"] = $"evt_{Guid.NewGuid():N}";
        var e = EventInput.Parse(json, settings.Path);

        var broker = Get<BrokerConnector>(services);
        await using var connection = await broker.ConnectAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(BrokerConnector.Confirms, cancellationToken);
        // Same declaration as the worker's, so publishing works before a worker ever ran.
        await channel.ExchangeDeclareAsync(BusNames.EventsExchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        var ids = new List<string>(settings.Count);
        try
        {
            for (var i = 1; i <= settings.Count; i++)
            {
                if (settings.Count > 1)
                    json["eventId"] = $"{e.EventId}-{i}";
                var properties = new BasicProperties
                {
                    ContentType = "application/json",
                    Persistent = true,
                    MessageId = json["eventId"]!.GetValue<string>(),
                    Type = e.Type,
                    // The CLI's own broker user, as any publisher under Dispatch:Tenancy:Publishers must say who it is.
                    UserId = broker.UserName,
                };
                await channel.BasicPublishAsync(BusNames.EventsExchange, e.Type, mandatory: true, properties,
                    Encoding.UTF8.GetBytes(json.ToJsonString()), cancellationToken);
                ids.Add(properties.MessageId);
            }
        }
        catch (PublishException ex) when (ex.IsReturn)
        {
            throw CliException.Failed($"The broker routed event type {e.Type} to no queue after {ids.Count} event(s); is astra.dispatch.events bound (has a worker started)?");
        }
        if (settings.Json)
            Output.WriteJson(new { published = ids.Count, exchange = BusNames.EventsExchange, routingKey = e.Type, tenantId = e.TenantId, eventIds = ids.Count <= 100 ? ids : null });
        else
            Output.Text($"Published {ids.Count} event(s) of type {e.Type} for tenant {e.TenantId} to {BusNames.EventsExchange}{(ids.Count == 1 ? $" ({ids[0]})" : "")}.");
        return ExitCodes.Ok;
    }
}
