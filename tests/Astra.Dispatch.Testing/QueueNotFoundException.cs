namespace Astra.Dispatch.Testing;

/// <summary>A queue that a test helper needed does not exist on the broker.</summary>
public sealed class QueueNotFoundException : InvalidOperationException
{
    public QueueNotFoundException()
    {
    }

    public QueueNotFoundException(string message)
        : base(message)
    {
    }

    public QueueNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal QueueNotFoundException(string queue, string broker, Exception innerException)
        : base($"Queue '{queue}' does not exist on the test broker ({broker}).", innerException)
    {
        Queue = queue;
    }

    public string? Queue { get; }
}
