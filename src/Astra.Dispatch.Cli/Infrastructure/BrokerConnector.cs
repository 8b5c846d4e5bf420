using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Astra.Dispatch.Cli.Infrastructure;

/// <summary>Connects to the broker named by <c>Dispatch:RabbitMq:Uri</c>; <see cref="Display"/> never shows the password.</summary>
internal sealed class BrokerConnector(string uri)
{
    public string Display { get; } = Uri.TryCreate(uri, UriKind.Absolute, out var u)
        ? $"{u.Scheme}://{u.Host}:{(u.IsDefaultPort ? 5672 : u.Port)}{u.AbsolutePath}"
        : "(invalid URI)";

    /// <summary>
    /// The broker user the CLI connects as: events it publishes carry it as their AMQP <c>user_id</c> (RabbitMQ checks it),
    /// which is what <c>Dispatch:Tenancy:Publishers</c> binds to tenants.
    /// </summary>
    public string UserName => Factory().UserName;

    public async Task<IConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var factory = Factory();
        try
        {
            return await factory.CreateConnectionAsync(cancellationToken);
        }
        catch (BrokerUnreachableException ex)
        {
            throw CliException.Failed($"Cannot connect to the broker at {Display} ({ex.InnerException?.Message ?? ex.Message}).");
        }
    }

    private ConnectionFactory Factory()
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("amqp" or "amqps"))
            throw CliException.Usage("Dispatch:RabbitMq:Uri must be an amqp:// or amqps:// URI.");
        return new ConnectionFactory { Uri = parsed, ClientProvidedName = "astra-dispatch-cli", RequestedConnectionTimeout = TimeSpan.FromSeconds(10) };
    }

    public static CreateChannelOptions Confirms => new(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);
}
