using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace Astra.Dispatch.Testing;

/// <summary>
/// A private rabbitmq-server node: own node name, ports, cookie and data folder under the temp dir.
/// It runs as the current user with HOME set to its folder, so the server and rabbitmqctl share the
/// cookie written there (the Debian /usr/sbin wrappers would switch to the rabbitmq user and its cookie).
/// </summary>
internal sealed class LocalRabbitMqNode : IBrokerBackend
{
    private static int counter;

    private readonly RabbitMqInstallation installation;
    private readonly string baseDir;
    private readonly Dictionary<string, string> environment;
    private Process? node;

    private LocalRabbitMqNode(RabbitMqInstallation installation, bool management)
    {
        this.installation = installation;
        var n = Interlocked.Increment(ref counter);
        NodeName = $"astra-test-{Environment.ProcessId}-{n}@localhost";
        AmqpPort = FreePorts.Next();
        DistPort = FreePorts.Next();
        ManagementPort = management ? FreePorts.Next() : null;
        baseDir = Directory.CreateTempSubdirectory($"astra-rabbitmq-{Environment.ProcessId}-{n}-").FullName;
        Directory.CreateDirectory(Path.Combine(baseDir, "mnesia"));
        Directory.CreateDirectory(Path.Combine(baseDir, "log"));
        Directory.CreateDirectory(Path.Combine(baseDir, "conf.d"));
        WriteFiles();
        environment = new Dictionary<string, string>
        {
            ["HOME"] = baseDir,
            ["RABBITMQ_NODENAME"] = NodeName,
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = AmqpPort.ToString(CultureInfo.InvariantCulture),
            ["RABBITMQ_DIST_PORT"] = DistPort.ToString(CultureInfo.InvariantCulture),
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(baseDir, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(baseDir, "log"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(baseDir, "rabbitmq.conf"),
            // Keep /etc/rabbitmq (conf.d, advanced.config, rabbitmq-env.conf) out of the private node.
            ["RABBITMQ_CONFIG_FILES"] = Path.Combine(baseDir, "conf.d"),
            ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(baseDir, "advanced.config"),
            ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(baseDir, "rabbitmq-env.conf"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(baseDir, "enabled_plugins"),
            ["RABBITMQ_PID_FILE"] = PidFile,
            ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1} " + BrokerSettings.ClassicQueueVersion2ErlArgs,
        };
    }

    public RabbitMqBrokerKind Kind => RabbitMqBrokerKind.LocalNode;

    public string NodeName { get; }

    public string Host => "127.0.0.1";

    public int AmqpPort { get; }

    public int DistPort { get; }

    public int? ManagementPort { get; }

    public string Description => $"local node {NodeName} (AMQP 127.0.0.1:{AmqpPort}, data {baseDir})";

    public bool HasExited => node is null || node.HasExited;

    private string PidFile => Path.Combine(baseDir, "rabbitmq.pid");

    private string ConsoleLog => Path.Combine(baseDir, "log", "console.log");

    private string NodeLog => Path.Combine(baseDir, "log", NodeName + ".log");

    public static LocalRabbitMqNode Create(RabbitMqInstallation installation, bool management) => new(installation, management);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        StartNode();
        StartWatchdog();
        return Task.CompletedTask;
    }

    public Task StartAgainAsync(CancellationToken cancellationToken)
    {
        if (!HasExited)
        {
            throw new InvalidOperationException($"RabbitMQ {Description} is already running.");
        }

        node?.Dispose();
        StartNode();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (node is null || node.HasExited)
        {
            return;
        }

        // Graceful, so durable queues and persistent messages are on disk for StartAgainAsync.
        var ctl = await ProcessRunner.RunAsync(installation.CtlScript, ["-n", NodeName, "shutdown"], CtlEnvironment(), TimeSpan.FromSeconds(60), cancellationToken);
        if (!ctl.Succeeded)
        {
            // The Erlang VM also shuts down cleanly on SIGTERM (the script forwards it).
            await ProcessRunner.RunAsync("/bin/sh", ["-c", "kill -TERM \"$0\"", node.Id.ToString(CultureInfo.InvariantCulture)], null, TimeSpan.FromSeconds(10), cancellationToken);
        }

        if (!await WaitForExitAsync(node, TimeSpan.FromSeconds(30)))
        {
            node.Kill(entireProcessTree: true);
            await node.WaitForExitAsync(CancellationToken.None);
            throw new InvalidOperationException($"RabbitMQ {Description} did not stop within 30s and was killed. rabbitmqctl said:\n{ctl.Output}\n{Diagnostics()}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Node first: at process exit the test host may be killed at any moment, and until the
        // folder is gone the watchdog still covers for us.
        Kill(node);
        if (node is not null)
        {
            await WaitForExitAsync(node, TimeSpan.FromSeconds(10));
            node.Dispose();
        }

        for (var attempt = 0; attempt < 5 && Directory.Exists(baseDir); attempt++)
        {
            try
            {
                Directory.Delete(baseDir, recursive: true); // also ends the watchdog
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await Task.Delay(200);
            }
        }
    }

    public Task<string> DiagnosticsAsync() => Task.FromResult(Diagnostics());

    private string Diagnostics() =>
        $"--- {ConsoleLog} (tail) ---\n{Tail(ConsoleLog, 15)}\n--- {NodeLog} (tail) ---\n{Tail(NodeLog, 40)}";

    public bool FailedOnConflict()
    {
        var text = Tail(ConsoleLog, 200) + Tail(NodeLog, 200);
        return text.Contains("eaddrinuse", StringComparison.OrdinalIgnoreCase)
            || text.Contains("already in use", StringComparison.OrdinalIgnoreCase)
            || text.Contains("seems to be in use", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Runs rabbitmqctl against this node (same HOME, so the same cookie).</summary>
    public Task<ProcessResult> CtlAsync(IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        ProcessRunner.RunAsync(installation.CtlScript, ["-n", NodeName, .. arguments], CtlEnvironment(), TimeSpan.FromSeconds(60), cancellationToken);

    private void WriteFiles()
    {
        var conf = new List<string>
        {
            "# Private test node: listens on 127.0.0.1 only.",
            "loopback_users = none",
            "log.console = false",
            "log.file.level = info",
        };
        if (ManagementPort is int managementPort)
        {
            conf.Add("management.tcp.ip = 127.0.0.1");
            conf.Add($"management.tcp.port = {managementPort}");
        }

        File.WriteAllLines(Path.Combine(baseDir, "rabbitmq.conf"), conf);
        // No plugins unless asked: each one adds startup time.
        File.WriteAllText(Path.Combine(baseDir, "enabled_plugins"), ManagementPort is null ? "[].\n" : "[rabbitmq_management].\n");
        File.WriteAllText(Path.Combine(baseDir, "rabbitmq-env.conf"), string.Empty);

        var cookie = Path.Combine(baseDir, ".erlang.cookie");
        File.WriteAllText(cookie, Convert.ToHexString(RandomNumberGenerator.GetBytes(20)));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(cookie, UnixFileMode.UserRead); // Erlang refuses a cookie others can read
        }
    }

    private void StartNode()
    {
        // Through sh so the node writes to a file and never holds the test host's stdout/stderr pipes.
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec \"$0\" >>\"$1\" 2>&1 </dev/null");
        info.ArgumentList.Add(installation.ServerScript);
        info.ArgumentList.Add(ConsoleLog);
        ProcessRunner.ApplyEnvironment(info, environment);
        File.Delete(PidFile);
        node = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {installation.ServerScript}.");
    }

    private void StartWatchdog()
    {
        // Kills the node and removes its folder once this process is gone. Needed because vstest
        // kills the test host within milliseconds of ProcessExit, so disposal there rarely finishes.
        // Detached (own session, parent sh exits) so a kill of the test host's tree or group
        // spares it; it ends by itself when the folder is deleted by a normal dispose.
        const string script = """
            watch='
              exec </dev/null >/dev/null 2>&1
              while kill -0 "$0" 2>/dev/null && [ -d "$2" ]; do sleep 1; done
              [ -d "$2" ] || exit 0
              pid=$(cat "$1" 2>/dev/null)
              if [ -n "$pid" ] && { grep -q beam "/proc/$pid/cmdline" 2>/dev/null || ps -p "$pid" -o args= 2>/dev/null | grep -q beam; }; then
                kill -KILL "$pid" 2>/dev/null
                i=0
                while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 10 ]; do sleep 1; i=$((i+1)); done
              fi
              rm -rf "$2"'
            if command -v setsid >/dev/null 2>&1; then
              setsid sh -c "$watch" "$0" "$1" "$2" </dev/null >/dev/null 2>&1 &
            else
              sh -c "$watch" "$0" "$1" "$2" </dev/null >/dev/null 2>&1 &
            fi
            """;
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add(PidFile);
        info.ArgumentList.Add(baseDir);
        using var launcher = Process.Start(info);
        launcher?.WaitForExit();
    }

    private Dictionary<string, string> CtlEnvironment()
    {
        // The CLI's own distribution port range defaults to 35672-35682, shared by every node on the
        // machine; give each call a free one so concurrent test processes never collide.
        var ctlPort = FreePorts.Next().ToString(CultureInfo.InvariantCulture);
        return new Dictionary<string, string>(environment)
        {
            ["RABBITMQ_CTL_DIST_PORT_MIN"] = ctlPort,
            ["RABBITMQ_CTL_DIST_PORT_MAX"] = ctlPort,
        };
    }

    private static async Task<bool> WaitForExitAsync(Process process, TimeSpan timeout)
    {
        try
        {
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static void Kill(Process? process)
    {
        try
        {
            if (process is { HasExited: false })
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static string Tail(string file, int lines)
    {
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n');
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException ex)
        {
            return $"(cannot read: {ex.Message})";
        }
    }
}
