using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Astra.Dispatch.Benchmarks;

/// <summary>
/// The real worker (<c>dotnet Astra.Dispatch.Worker.dll</c>) as a child process configured through
/// <c>Dispatch__*</c> variables.
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private WorkerProcess(Process process)
    {
        _process = process;
        Monitor = new ProcessMonitor(process);
    }

    public ProcessMonitor Monitor { get; }

    public static async Task<WorkerProcess> StartAsync(string workerDll, Uri broker, string workDir, string rulesPath, IReadOnlyDictionary<string, string> settings,
        TextWriter log, CancellationToken cancellationToken)
    {
        var healthPort = FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(workerDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(workerDll);
        var env = info.Environment;
        env["DOTNET_ENVIRONMENT"] = env["ASPNETCORE_ENVIRONMENT"] = "Production";
        env["Dispatch__RabbitMq__Uri"] = broker.AbsoluteUri;
        env["Dispatch__Database"] = Path.Combine(workDir, "dispatch.db");
        env["Dispatch__RulesPath"] = rulesPath;
        env["Dispatch__Http__AllowPlainHttp"] = "true";
        env["Dispatch__Http__AllowedNetworks__0"] = "127.0.0.0/8";
        env["Dispatch__Http__AllowedPorts__0"] = "1024-65535";
        env["Dispatch__Health__Urls"] = $"http://127.0.0.1:{healthPort}";
        env["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings)
            env[key.Replace(":", "__", StringComparison.Ordinal)] = value;

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the worker");
        process.OutputDataReceived += (_, e) => Forward(log, e.Data);
        process.ErrorDataReceived += (_, e) => Forward(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var worker = new WorkerProcess(process);
        try
        {
            await worker.WaitReadyAsync(healthPort, cancellationToken);
        }
        catch
        {
            await worker.DisposeAsync();
            throw;
        }
        return worker;
    }

    private static void Forward(TextWriter log, string? line)
    {
        if (line is not null)
            log.WriteLine($"worker: {line}");
    }

    private async Task WaitReadyAsync(int port, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(120))
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"the worker exited with code {_process.ExitCode} before it was ready");
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health/ready"), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
            await Task.Delay(100, cancellationToken);
        }
        throw new TimeoutException("the worker was not ready within 120s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Stops the worker gracefully (SIGTERM), killing it if it does not exit within 30s.</summary>
    public async ValueTask DisposeAsync()
    {
        await Monitor.StopAsync(async () =>
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
        });
        _process.Dispose();
    }
}
