using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace Astra.Dispatch.Testing.Postgres;

/// <summary>
/// A private PostgreSQL server: initdb into a fresh temp folder, then <c>pg_ctl -w start</c> on its own
/// port on 127.0.0.1 and its own unix-socket folder, with durability off (the data is thrown away) and
/// password (scram) authentication for a generated superuser. PostgreSQL refuses to run as root, so as
/// root the server runs as the <c>postgres</c> user that Debian's package creates, owning the folder.
/// </summary>
internal sealed class LocalPostgresServer : IPostgresBackend
{
    private const string RootServerUser = "postgres";

    private static int counter;

    private readonly PostgresInstallation installation;
    private readonly string baseDir;
    private readonly string? serverUser;
    private string? initDbOutput;

    private LocalPostgresServer(PostgresInstallation installation, string? serverUser)
    {
        this.installation = installation;
        this.serverUser = serverUser;
        var n = Interlocked.Increment(ref counter);
        Port = FreePorts.Next();
        Password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        baseDir = Directory.CreateTempSubdirectory($"astra-postgres-{Environment.ProcessId}-{n}-").FullName;
    }

    public PostgresServerKind Kind => PostgresServerKind.Local;

    public string Description => $"local server {installation.BinDirectory}/postgres (127.0.0.1:{Port}, data {DataDir}{(serverUser is null ? string.Empty : ", as user " + serverUser)})";

    public string Host => "127.0.0.1";

    public int Port { get; }

    public string Username => "astra";

    public string Password { get; }

    public bool HasExited => PostmasterPid() is not int pid || !IsAlive(pid);

    private string DataDir => Path.Combine(baseDir, "data");

    private string LogFile => Path.Combine(baseDir, "postgres.log");

    public static async Task<LocalPostgresServer> CreateAsync(PostgresInstallation installation, CancellationToken cancellationToken)
    {
        string? user = null;
        if (Environment.IsPrivilegedProcess)
        {
            user = RootServerUser;
            var id = await ProcessRunner.RunAsync("id", ["-u", user], null, TimeSpan.FromSeconds(10), cancellationToken);
            if (!id.Succeeded)
            {
                throw new InvalidOperationException(
                    $"PostgreSQL refuses to run as root and there is no '{user}' user to run it as ({id.Output.Trim()}). {PostgresInstallation.MissingMessage}");
            }
        }

        return new LocalPostgresServer(installation, user);
    }

    public async Task StartAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        StartWatchdog(); // first: from here on a killed test host leaves nothing behind

        var passwordFile = Path.Combine(baseDir, "password");
        await File.WriteAllTextAsync(passwordFile, Password + "\n", cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        if (serverUser is not null)
        {
            var chown = await ProcessRunner.RunAsync("chown", ["-R", serverUser, baseDir], null, TimeSpan.FromSeconds(30), cancellationToken);
            if (!chown.Succeeded)
            {
                throw new InvalidOperationException($"chown -R {serverUser} {baseDir} failed: {chown.Output}");
            }
        }

        // --no-sync: initdb's fsync of ~1,000 files is most of its time, and this data is thrown away.
        var init = await RunAsServerUserAsync(
            installation.InitDb,
            ["-D", DataDir, "-U", Username, "--pwfile=" + passwordFile, "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions"],
            timeout,
            cancellationToken);
        File.Delete(passwordFile);
        initDbOutput = init.Output;
        if (!init.Succeeded)
        {
            throw new InvalidOperationException($"initdb failed ({init.ExitCode}) for PostgreSQL {Description}:\n{init.Output}");
        }

        // Appended last, so these win over the defaults initdb wrote. Non-durable settings:
        // https://www.postgresql.org/docs/current/non-durability.html
        await File.AppendAllLinesAsync(Path.Combine(DataDir, "postgresql.conf"),
        [
            "# Private test server (Astra.Dispatch.Testing): loopback only, durability off.",
            "listen_addresses = '127.0.0.1'",
            $"port = {Port.ToString(CultureInfo.InvariantCulture)}",
            $"unix_socket_directories = '{baseDir}'",
            "fsync = off",
            "synchronous_commit = off",
            "full_page_writes = off",
            // Every test database has its own Npgsql pool; the default 100 runs out under parallel tests.
            "max_connections = 300",
        ], cancellationToken);

        var seconds = Math.Max(1, (int)timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        var start = await RunAsServerUserAsync(installation.PgCtl, ["-D", DataDir, "-l", LogFile, "-w", "-t", seconds, "start"], timeout + TimeSpan.FromSeconds(10), cancellationToken);
        if (!start.Succeeded)
        {
            throw new InvalidOperationException($"pg_ctl start failed ({start.ExitCode}) for PostgreSQL {Description}:\n{start.Output}\n{Diagnostics()}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Server first: at process exit the test host may be killed at any moment, and until the
        // folder is gone the watchdog still covers for us. Immediate mode: the data is thrown away.
        if (!HasExited)
        {
            try
            {
                var stop = await RunAsServerUserAsync(installation.PgCtl, ["-D", DataDir, "-m", "immediate", "-w", "-t", "10", "stop"], TimeSpan.FromSeconds(15), CancellationToken.None);
                if (!stop.Succeeded)
                {
                    KillPostmaster();
                }
            }
            catch (TimeoutException)
            {
                KillPostmaster();
            }
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

    public bool FailedOnConflict()
    {
        var log = TextFiles.Tail(LogFile, 100);
        return log.Contains("could not bind", StringComparison.OrdinalIgnoreCase)
            || log.Contains("Address already in use", StringComparison.OrdinalIgnoreCase);
    }

    private string Diagnostics() =>
        (initDbOutput is null ? string.Empty : $"--- initdb output (tail) ---\n{string.Join('\n', initDbOutput.Split('\n').TakeLast(15))}\n")
        + $"--- {LogFile} (tail) ---\n{TextFiles.Tail(LogFile, 40)}";

    private Task<ProcessResult> RunAsServerUserAsync(string program, string[] arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // An empty environment still passes through ApplyEnvironment, which drops inherited PG* settings.
        var environment = new Dictionary<string, string>();
        if (serverUser is null)
        {
            return ProcessRunner.RunAsync(program, arguments, environment, timeout, cancellationToken);
        }

        // runuser (util-linux) switches user without PAM prompts or a login shell; su is the fallback.
        var runuser = new[] { "/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser" }.FirstOrDefault(File.Exists);
        return runuser is not null
            ? ProcessRunner.RunAsync(runuser, ["-u", serverUser, "--", program, .. arguments], environment, timeout, cancellationToken)
            : ProcessRunner.RunAsync("su", ["-s", "/bin/sh", serverUser, "-c", "exec \"$0\" \"$@\"", program, .. arguments], environment, timeout, cancellationToken);
    }

    private int? PostmasterPid()
    {
        // First line of postmaster.pid; the file exists from the server's start until its clean exit.
        try
        {
            var first = File.ReadLines(Path.Combine(DataDir, "postmaster.pid")).FirstOrDefault();
            return int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private void KillPostmaster()
    {
        if (PostmasterPid() is not int pid)
        {
            return;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            // Already gone.
        }
    }

    private void StartWatchdog()
    {
        // Stops the server and removes its folder once this process is gone: pg_ctl detaches the
        // postmaster (own session, parent init), and vstest kills the test host within milliseconds
        // of ProcessExit, so disposal there rarely finishes. Detached itself (own session, parent sh
        // exits) so a kill of the test host's tree spares it; it ends by itself when a normal dispose
        // deletes the folder. SIGQUIT is PostgreSQL's immediate shutdown: it ends the backends too.
        const string script = """
            watch='
              exec </dev/null >/dev/null 2>&1
              while kill -0 "$0" 2>/dev/null && [ -d "$1" ]; do sleep 1; done
              [ -d "$1" ] || exit 0
              pid=$(head -n 1 "$1/data/postmaster.pid" 2>/dev/null)
              if [ -n "$pid" ] && tr "\0" " " <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$1/data"; then
                kill -QUIT "$pid" 2>/dev/null
                i=0
                while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 10 ]; do sleep 1; i=$((i+1)); done
                kill -KILL "$pid" 2>/dev/null
              fi
              rm -rf "$1"'
            if command -v setsid >/dev/null 2>&1; then
              setsid sh -c "$watch" "$0" "$1" </dev/null >/dev/null 2>&1 &
            else
              sh -c "$watch" "$0" "$1" </dev/null >/dev/null 2>&1 &
            fi
            """;
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add(baseDir);
        using var launcher = Process.Start(info);
        launcher?.WaitForExit();
    }
}
