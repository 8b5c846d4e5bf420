using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Astra.Dispatch.Testing;

/// <summary>
/// A real RabbitMQ for tests: a Testcontainers container when a Docker engine answers, otherwise a
/// private local rabbitmq-server node. Never skips: a missing broker is an exception naming the fix.
/// Each <see cref="StartAsync(CancellationToken)"/> starts a new broker; share one via <see cref="SharedBroker"/>.
/// </summary>
public sealed partial class RabbitMqBroker : IAsyncDisposable
{
    private readonly IBrokerBackend backend;
    private readonly TimeSpan startTimeout;
    private readonly SemaphoreSlim gate = new(1, 1);
    private IConnection? admin;
    private bool disposed;

    private RabbitMqBroker(IBrokerBackend backend, TimeSpan startTimeout, bool shared)
    {
        this.backend = backend;
        this.startTimeout = startTimeout;
        IsShared = shared;
    }

    public RabbitMqBrokerKind Kind => backend.Kind;

    /// <summary>Human-readable identity (node name, ports, data folder or container image).</summary>
    public string Description => backend.Description;

    /// <summary><c>amqp://guest:guest@127.0.0.1:PORT/</c> (the container host for Docker).</summary>
    public Uri AmqpUri => new($"amqp://guest:guest@{backend.Host}:{backend.AmqpPort}/");

    public int AmqpPort => backend.AmqpPort;

    /// <summary>Management UI/API, or null when the plugin is not enabled.</summary>
    public Uri? ManagementUri => backend.ManagementPort is int port ? new Uri($"http://{backend.Host}:{port}/") : null;

    /// <summary>The process-wide broker from <see cref="SharedBroker"/>: it cannot be stopped or disposed by a test.</summary>
    public bool IsShared { get; }

    public bool IsRunning { get; private set; }

    public static Task<RabbitMqBroker> StartAsync(CancellationToken cancellationToken = default) =>
        StartAsync(new RabbitMqBrokerOptions(), cancellationToken);

    public static Task<RabbitMqBroker> StartAsync(RabbitMqBrokerOptions options, CancellationToken cancellationToken = default) =>
        StartCoreAsync(options, shared: false, cancellationToken);

    /// <summary>Stops the broker gracefully, keeping its data and ports for <see cref="StartAgainAsync"/>.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfShared(nameof(StopAsync));
        await gate.WaitAsync(cancellationToken);
        try
        {
            await CloseAdminAsync();
            await backend.StopAsync(cancellationToken);
            IsRunning = false;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Starts the stopped broker again on the same ports with the same data; returns once it accepts AMQP connections.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfShared(nameof(StartAgainAsync));
        await gate.WaitAsync(cancellationToken);
        try
        {
            await backend.StartAgainAsync(cancellationToken);
            await WaitUntilReadyAsync(backend, AmqpUri, startTimeout, cancellationToken);
            IsRunning = true;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// A fresh virtual host with full rights for guest, and its URI: tests that run a worker each get their own
    /// copy of the Astra exchanges and queues, so they can share one node and run in parallel.
    /// </summary>
    public async Task<Uri> CreateVirtualHostAsync(string name, CancellationToken cancellationToken = default)
    {
        await CtlAsync(["add_vhost", name], cancellationToken);
        await CtlAsync(["set_permissions", "-p", name, "guest", ".*", ".*", ".*"], cancellationToken);
        return new Uri(AmqpUri, Uri.EscapeDataString(name));
    }

    /// <summary>
    /// A new broker user with full rights on <paramref name="vhost"/>, and the URI that connects as it there. Users are
    /// node-wide: give each test its own name. RabbitMQ then checks that every message it publishes with a
    /// <c>user_id</c> names this user.
    /// </summary>
    public async Task<Uri> CreateUserAsync(string user, string password, string vhost, CancellationToken cancellationToken = default)
    {
        await CtlAsync(["add_user", user, password], cancellationToken);
        await CtlAsync(["set_permissions", "-p", vhost, user, ".*", ".*", ".*"], cancellationToken);
        return new UriBuilder(AmqpUri) { UserName = Uri.EscapeDataString(user), Password = Uri.EscapeDataString(password), Path = Uri.EscapeDataString(vhost) }.Uri;
    }

    /// <summary>The type (<c>classic</c>, <c>quorum</c>, <c>stream</c>) of every queue in <paramref name="vhost"/>, by name.</summary>
    public async Task<IReadOnlyDictionary<string, string>> QueueTypesAsync(string vhost, CancellationToken cancellationToken = default)
    {
        var output = await CtlAsync(["list_queues", "-p", vhost, "name", "type", "--quiet", "--no-table-headers"], cancellationToken);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('\t'))
            .Where(fields => fields.Length == 2)
            .ToDictionary(fields => fields[0], fields => fields[1], StringComparer.Ordinal);
    }

    /// <summary>The storage version (1 or 2) of every classic queue in <paramref name="vhost"/>, by name.</summary>
    public async Task<IReadOnlyDictionary<string, int>> ClassicQueueVersionsAsync(string vhost, CancellationToken cancellationToken = default)
    {
        if (vhost.IndexOfAny(['"', '\\']) >= 0)
            throw new ArgumentException($"vhost {vhost} cannot be quoted in an Erlang binary here", nameof(vhost));
        var output = await CtlAsync(["eval", $$"""
            [{element(4, amqqueue:get_name(Q)),
              proplists:get_value(version, proplists:get_value(backing_queue_status, rabbit_amqqueue:info(Q, [backing_queue_status])))}
             || Q <- rabbit_amqqueue:list(<<"{{vhost}}">>), amqqueue:get_type(Q) =:= rabbit_classic_queue].
            """], cancellationToken);
        return ErlangQueueVersion().Matches(output).ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), StringComparer.Ordinal);
    }

    private async Task<string> CtlAsync(string[] command, CancellationToken cancellationToken)
    {
        var result = await backend.CtlAsync(command, cancellationToken);
        if (!result.Succeeded)
            throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', command)} failed ({result.ExitCode}): {result.Output}");
        return result.Output;
    }

    /// <summary>A new connection to this broker (caller disposes it).</summary>
    public Task<IConnection> CreateConnectionAsync(string clientName = "astra-tests", CancellationToken cancellationToken = default) =>
        NewFactory(AmqpUri).CreateConnectionAsync(clientName, cancellationToken);

    /// <summary>Ready messages in <paramref name="queue"/> (passive declare; unacknowledged deliveries are not counted).</summary>
    /// <exception cref="QueueNotFoundException">The queue does not exist.</exception>
    public Task<uint> QueueDepthAsync(string queue, CancellationToken cancellationToken = default) =>
        OnChannelAsync(queue, async channel => (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount, cancellationToken);

    public async Task<bool> QueueExistsAsync(string queue, CancellationToken cancellationToken = default)
    {
        try
        {
            await QueueDepthAsync(queue, cancellationToken);
            return true;
        }
        catch (QueueNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Polls until <paramref name="queue"/> holds exactly <paramref name="expected"/> ready messages (a missing queue counts as 0).</summary>
    public async Task WaitForQueueDepthAsync(string queue, uint expected, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        uint? last = null;
        while (true)
        {
            try
            {
                last = await QueueDepthAsync(queue, cancellationToken);
            }
            catch (QueueNotFoundException)
            {
                last = 0;
            }

            if (last == expected)
            {
                return;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Queue '{queue}' did not reach {expected} ready message(s) within {timeout.TotalSeconds:0.#}s; it has {last}.");
            }

            // A broker has no push notification for queue depth: short polls are the only way.
            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>Removes the ready messages; returns how many.</summary>
    /// <exception cref="QueueNotFoundException">The queue does not exist.</exception>
    public Task<uint> PurgeAsync(string queue, CancellationToken cancellationToken = default) =>
        OnChannelAsync(queue, channel => channel.QueuePurgeAsync(queue, cancellationToken), cancellationToken);

    /// <summary>Deletes the queue (succeeds when it does not exist); returns how many messages it held.</summary>
    public Task<uint> DeleteQueueAsync(string queue, CancellationToken cancellationToken = default) =>
        OnChannelAsync(queue, channel => channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false, cancellationToken: cancellationToken), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (IsShared)
        {
            return; // disposed once at process exit by SharedBroker
        }

        await DisposeCoreAsync();
    }

    internal static async Task<RabbitMqBroker> StartCoreAsync(RabbitMqBrokerOptions options, bool shared, CancellationToken cancellationToken)
    {
        var kind = options.Kind;
        if (kind == RabbitMqBrokerKind.Auto)
        {
            kind = Environment.GetEnvironmentVariable("ASTRA_TEST_BROKER")?.ToLowerInvariant() switch
            {
                "docker" or "container" => RabbitMqBrokerKind.Container,
                "local" => RabbitMqBrokerKind.LocalNode,
                _ => await DockerEngine.IsAvailableAsync(cancellationToken) ? RabbitMqBrokerKind.Container : RabbitMqBrokerKind.LocalNode,
            };
        }

        var installation = kind == RabbitMqBrokerKind.LocalNode ? RabbitMqInstallation.Find() : null;
        for (var attempt = 1; ; attempt++)
        {
            IBrokerBackend backend = installation is null
                ? ContainerRabbitMq.Create()
                : LocalRabbitMqNode.Create(installation, options.EnableManagement);
            var broker = new RabbitMqBroker(backend, options.StartTimeout, shared);
            try
            {
                await backend.StartAsync(cancellationToken);
                await WaitUntilReadyAsync(backend, broker.AmqpUri, options.StartTimeout, cancellationToken);
                broker.IsRunning = true;
                return broker;
            }
            catch (Exception) when (attempt < 3 && backend.FailedOnConflict())
            {
                await broker.DisposeCoreAsync(); // another process took a port or the node name: new ones
            }
            catch
            {
                await broker.DisposeCoreAsync();
                throw;
            }
        }
    }

    internal async ValueTask DisposeCoreAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        await backend.DisposeAsync(); // first: at process exit time is short
        await CloseAdminAsync();
        IsRunning = false;
        gate.Dispose();
    }

    private static ConnectionFactory NewFactory(Uri uri) => new()
    {
        Uri = uri,
        AutomaticRecoveryEnabled = false,
        TopologyRecoveryEnabled = false,
        RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
    };

    private static async Task WaitUntilReadyAsync(IBrokerBackend backend, Uri uri, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (true)
        {
            if (backend.HasExited)
            {
                throw new InvalidOperationException($"RabbitMQ {backend.Description} exited while starting.\n{await backend.DiagnosticsAsync()}");
            }

            try
            {
                await using var connection = await NewFactory(uri).CreateConnectionAsync("astra-tests-readiness", cancellationToken);
                await connection.CloseAsync(cancellationToken);
                return;
            }
            catch (Exception ex) when (ex is BrokerUnreachableException or IOException or OperationInterruptedException or TimeoutException)
            {
                last = ex;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException(
                    $"RabbitMQ {backend.Description} did not accept an AMQP connection within {timeout.TotalSeconds:0}s. Last error: {last.GetBaseException().Message}\n{await backend.DiagnosticsAsync()}");
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    private async Task<T> OnChannelAsync<T>(string queue, Func<IChannel, Task<T>> action, CancellationToken cancellationToken)
    {
        var connection = await GetAdminAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            return await action(channel);
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            throw new QueueNotFoundException(queue, Description, ex);
        }
    }

    private async Task<IConnection> GetAdminAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (admin is not { IsOpen: true })
            {
                if (admin is not null)
                {
                    await admin.DisposeAsync();
                }

                admin = await NewFactory(AmqpUri).CreateConnectionAsync("astra-tests-admin", cancellationToken);
            }

            return admin;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task CloseAdminAsync()
    {
        if (admin is not null)
        {
            try
            {
                await admin.AbortAsync(); // no close handshake: the broker may be stopping or gone
                await admin.DisposeAsync();
            }
            catch (Exception ex) when (ex is IOException or OperationInterruptedException or AlreadyClosedException)
            {
                // The broker may already be gone.
            }

            admin = null;
        }
    }

    private void ThrowIfShared(string operation)
    {
        if (IsShared)
        {
            throw new InvalidOperationException(
                $"{operation} is not allowed on the shared broker (other tests use it): start a dedicated one with RabbitMqBroker.StartAsync() or SharedBroker.StartDedicatedAsync().");
        }
    }

    /// <summary>One <c>{&lt;&lt;"name"&gt;&gt;,2}</c> of <c>rabbitmqctl eval</c>'s printed list.</summary>
    [GeneratedRegex("""\{<<"([^"]+)">>,\s*(\d+)\}""")]
    private static partial Regex ErlangQueueVersion();
}
