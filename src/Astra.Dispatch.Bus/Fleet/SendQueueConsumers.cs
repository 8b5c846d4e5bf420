using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace Astra.Dispatch.Bus.Fleet;

/// <summary>
/// The live consumers of <c>astra.dispatch.send</c> (one per running worker), read every
/// <see cref="RabbitMqOptions.ConsumerCountInterval"/> from a passive declare of the queue, so each worker takes its
/// share of a rule's rate limit. Until the first answer, and whenever the broker does not answer, the last count stands.
/// </summary>
internal sealed partial class SendQueueConsumers(IOptions<RabbitMqOptions> options, TimeProvider time, ILogger<SendQueueConsumers> logger)
    : BackgroundService, ISendConsumerCount
{
    private volatile int _current = 1;
    private IConnection? _connection;
    private IChannel? _channel;

    public int Current => _current;

    /// <summary>Reads the count once (also what every tick does).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            _connection ??= await new ConnectionFactory { Uri = options.Value.Uri, ClientProvidedName = "astra-dispatch-fleet" }.CreateConnectionAsync(cancellationToken);
            if (_channel is not { IsOpen: true })
                _channel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken);
            var declared = await _channel.QueueDeclarePassiveAsync(BusNames.SendQueue, cancellationToken);
            var count = Math.Max(1, (int)declared.ConsumerCount);
            if (count != _current)
                LogConsumersChanged(_current, count);
            _current = count;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCountFailed(ex.Message);
            // A passive declare of a missing queue closes the channel; a lost connection is rebuilt next time.
            if (_connection is { IsOpen: false })
            {
                await _connection.DisposeAsync();
                _connection = null;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ConsumerCountInterval, time);
        try
        {
            do
            {
                await RefreshAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_channel is not null)
            await _channel.DisposeAsync();
        if (_connection is not null)
            await _connection.DisposeAsync();
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Workers on astra.dispatch.send: {Before} -> {After}; rate limits are shared accordingly")]
    private partial void LogConsumersChanged(int before, int after);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Debug, Message = "Counting the consumers of astra.dispatch.send failed ({Error}); keeping the last count")]
    private partial void LogCountFailed(string error);
}
