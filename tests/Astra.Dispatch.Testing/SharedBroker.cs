namespace Astra.Dispatch.Testing;

/// <summary>
/// One broker per test process, started on first use and removed at process exit, so all test
/// collections share a node. Tests that stop or restart the broker use <see cref="StartDedicatedAsync"/>.
/// </summary>
public static class SharedBroker
{
    private static readonly Lazy<Task<RabbitMqBroker>> Instance = new(StartShared, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The shared broker. A failed start is remembered, so every test fails fast with the same message.</summary>
    public static Task<RabbitMqBroker> GetAsync(CancellationToken cancellationToken = default) =>
        Instance.Value.WaitAsync(cancellationToken);

    /// <summary>A broker of its own (caller disposes it), for tests that stop or restart it.</summary>
    public static Task<RabbitMqBroker> StartDedicatedAsync(CancellationToken cancellationToken = default) =>
        RabbitMqBroker.StartAsync(cancellationToken);

    private static Task<RabbitMqBroker> StartShared()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DisposeAtExit();
        // Not tied to any caller's token: other tests wait on the same start.
        return Task.Run(() => RabbitMqBroker.StartCoreAsync(new RabbitMqBrokerOptions(), shared: true, CancellationToken.None));
    }

    private static void DisposeAtExit()
    {
        var start = Instance.Value;
        if (start.IsCompletedSuccessfully)
        {
            // Best effort: vstest kills the test host moments after this starts; the local node's
            // watchdog finishes the job. Bounded so a hung dispose cannot keep a process alive.
            start.Result.DisposeCoreAsync().AsTask().Wait(TimeSpan.FromSeconds(15));
        }
    }
}
