using Astra.Dispatch.Contracts;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Astra.Dispatch.Bus.Operations;

/// <summary>
/// Reads, moves and purges the error queues with plain AMQP. Messages are taken with <c>basic.get</c> without
/// auto-ack and settled only after their copy is confirmed by the broker, so an interrupted run loses nothing
/// (unsettled messages return to the error queue when the channel closes; at worst one is redriven twice).
/// </summary>
public sealed class DeadLetterQueue(BrokerConnector broker)
{
    /// <summary>The error queue and where its messages are redriven to, for <c>send</c> or <c>events</c>; false for any other name.</summary>
    public static bool TryResolve(string? queue, out string errorQueue, out string targetQueue)
    {
        (errorQueue, targetQueue) = queue switch
        {
            "send" => (BusNames.SendErrorQueue, BusNames.SendQueue),
            "events" => (BusNames.EventsErrorQueue, BusNames.EventsQueue),
            _ => ("", ""),
        };
        return errorQueue.Length > 0;
    }

    /// <summary>Up to <paramref name="limit"/> dead letters from the head of the queue, left in place.</summary>
    public async Task<IReadOnlyList<DeadLetter>> PeekAsync(string errorQueue, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await broker.ConnectAsync(cancellationToken);
        // MassTransit creates an error queue with its first fault: no queue yet means no dead letters.
        if (await TryCountAsync(connection, errorQueue, cancellationToken) is not { } count)
            return [];
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        var letters = new List<DeadLetter>();
        ulong lastTag = 0;
        while (letters.Count < Math.Min(count, limit) && await channel.BasicGetAsync(errorQueue, autoAck: false, cancellationToken) is { } got)
        {
            letters.Add(DeadLetter.From(letters.Count + 1, got.BasicProperties, got.Body));
            lastTag = got.DeliveryTag;
        }
        if (lastTag > 0)
            await channel.BasicNackAsync(lastTag, multiple: true, requeue: true, cancellationToken);
        return letters;
    }

    /// <summary>Moves the matching dead letters to <paramref name="targetQueue"/>; the rest stay where they were.</summary>
    public async Task<RedriveResult> RedriveAsync(string errorQueue, string targetQueue, Func<DeadLetter, bool> selected,
        Action<int, int>? progress, CancellationToken cancellationToken)
    {
        await using var connection = await broker.ConnectAsync(cancellationToken);
        if (await TryCountAsync(connection, targetQueue, cancellationToken) is null)
            throw new BrokerUnavailableException($"Queue {targetQueue} does not exist on the broker (has a worker run against it yet?).");
        if (await TryCountAsync(connection, errorQueue, cancellationToken) is not { } total)
            return new RedriveResult([], 0);
        await using var channel = await connection.CreateChannelAsync(BrokerConnector.Confirms, cancellationToken);
        var kept = new List<ulong>();
        var moved = new List<DeadLetter>();
        // Only what was there at the start: kept messages stay unacked, so basic.get never returns them twice.
        for (var seen = 0; seen < total; seen++)
        {
            if (await channel.BasicGetAsync(errorQueue, autoAck: false, cancellationToken) is not { } got)
                break;
            var letter = DeadLetter.From(seen + 1, got.BasicProperties, got.Body);
            if (!selected(letter))
            {
                kept.Add(got.DeliveryTag);
            }
            else
            {
                await channel.BasicPublishAsync("", targetQueue, mandatory: true, RedriveCleaner.Properties(got.BasicProperties),
                    RedriveCleaner.Body(got.Body), cancellationToken);
                await channel.BasicAckAsync(got.DeliveryTag, multiple: false, cancellationToken);
                moved.Add(letter);
            }
            progress?.Invoke(seen + 1, total);
        }
        foreach (var tag in kept)
            await channel.BasicNackAsync(tag, multiple: false, requeue: true, cancellationToken);
        return new RedriveResult(moved, kept.Count);
    }

    /// <summary>Deletes the matching dead letters (acknowledged once read); the rest stay where they were.</summary>
    public async Task<RedriveResult> DeleteAsync(string errorQueue, Func<DeadLetter, bool> selected, CancellationToken cancellationToken)
    {
        await using var connection = await broker.ConnectAsync(cancellationToken);
        if (await TryCountAsync(connection, errorQueue, cancellationToken) is not { } total)
            return new RedriveResult([], 0);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        var kept = new List<ulong>();
        var deleted = new List<DeadLetter>();
        // Only what was there at the start: kept messages stay unacked, so basic.get never returns them twice.
        for (var seen = 0; seen < total; seen++)
        {
            if (await channel.BasicGetAsync(errorQueue, autoAck: false, cancellationToken) is not { } got)
                break;
            var letter = DeadLetter.From(seen + 1, got.BasicProperties, got.Body);
            if (selected(letter))
            {
                await channel.BasicAckAsync(got.DeliveryTag, multiple: false, cancellationToken);
                deleted.Add(letter);
            }
            else
            {
                kept.Add(got.DeliveryTag);
            }
        }
        foreach (var tag in kept)
            await channel.BasicNackAsync(tag, multiple: false, requeue: true, cancellationToken);
        return new RedriveResult(deleted, kept.Count);
    }

    /// <summary>Deletes every message of the queue; how many.</summary>
    public async Task<uint> PurgeAsync(string errorQueue, CancellationToken cancellationToken)
    {
        await using var connection = await broker.ConnectAsync(cancellationToken);
        if (await TryCountAsync(connection, errorQueue, cancellationToken) is null)
            return 0;
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        return await channel.QueuePurgeAsync(errorQueue, cancellationToken);
    }

    /// <summary>The queue's depth, or null when it does not exist (the passive declare closes its own channel).</summary>
    private static async Task<int?> TryCountAsync(IConnection connection, string queue, CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            return (int)(await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount;
        }
        catch (OperationInterruptedException)
        {
            return null;
        }
    }
}

/// <summary>What a redrive moved, and how many dead letters it left in place.</summary>
public sealed record RedriveResult(IReadOnlyList<DeadLetter> Moved, int Kept);
