using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Astra.Dispatch.Bus.Operations;

/// <summary>
/// Plain AMQP connections for operators' tools (the CLI, the console) to the broker named by <c>Dispatch:RabbitMq:Uri</c>;
/// <see cref="Display"/> never shows the password.
/// </summary>
public sealed class BrokerConnector(string uri, string clientName)
{
    /// <summary>The broker without its credentials.</summary>
    public string Display { get; } = Uri.TryCreate(uri, UriKind.Absolute, out var u)
        ? $"{u.Scheme}://{u.Host}:{(u.IsDefaultPort ? 5672 : u.Port)}{u.AbsolutePath}"
        : "(invalid URI)";

    /// <summary>
    /// The broker user the tool connects as: events it publishes carry it as their AMQP <c>user_id</c> (RabbitMQ checks it),
    /// which is what <c>Dispatch:Tenancy:Publishers</c> binds to tenants.
    /// </summary>
    public string UserName => Factory().UserName;

    /// <summary>A new connection; <see cref="BrokerUnavailableException"/> when the broker cannot be reached.</summary>
    public async Task<IConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var factory = Factory();
        try
        {
            return await factory.CreateConnectionAsync(cancellationToken);
        }
        catch (BrokerUnreachableException ex)
        {
            throw new BrokerUnavailableException($"Cannot connect to the broker at {Display} ({ex.InnerException?.Message ?? ex.Message}).", ex);
        }
    }

    private ConnectionFactory Factory()
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("amqp" or "amqps"))
            throw new ArgumentException("Dispatch:RabbitMq:Uri must be an amqp:// or amqps:// URI.");
        return new ConnectionFactory { Uri = parsed, ClientProvidedName = clientName, RequestedConnectionTimeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>Channel options with publisher confirms: a publish returns once the broker has the message.</summary>
    public static CreateChannelOptions Confirms => new(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);
}

/// <summary>The broker cannot be reached, or lacks a queue an operation needs; the message says which, never a password.</summary>
public sealed class BrokerUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
