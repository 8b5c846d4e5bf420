using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;

namespace Astra.Dispatch.Benchmarks;

/// <summary>
/// A comparison pipeline in a process of its own, as the worker is: the harness (publisher and receiver) is the same
/// for both sides, and each side's CPU and RSS are measured, not estimated. It runs this benchmark's own assembly
/// (<see cref="PipelineHost"/>) under the worker's runtime configuration (GC mode, tiering, thread-pool spinning), so
/// the comparison is of the code, not of runtime settings.
/// </summary>
internal sealed class PipelineProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly Channel<string> _replies = Channel.CreateUnbounded<string>();

    private PipelineProcess(Process process, PipelineKind kind)
    {
        _process = process;
        Kind = kind;
        Monitor = new ProcessMonitor(process);
    }

    public PipelineKind Kind { get; }

    public ProcessMonitor Monitor { get; }

    public string Exchange => ComparisonPipelines.ExchangeOf(Kind);

    /// <summary>Starts the process and waits until the pipeline's queues are declared (not yet consuming).</summary>
    public static async Task<PipelineProcess> StartAsync(PipelineKind kind, string workerDll, Uri broker, Scenario scenario, Uri ok, Uri hang, TextWriter log,
        CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "exec", "--runtimeconfig", Path.ChangeExtension(workerDll, ".runtimeconfig.json"), typeof(PipelineHost).Assembly.Location,
            PipelineHost.Command, kind.ToString(), JsonSerializer.Serialize(scenario), ok.AbsoluteUri, hang.AbsoluteUri,
        })
        {
            info.ArgumentList.Add(arg);
        }
        // Like the worker's, in the environment: a command line is visible to every user of the machine.
        info.Environment[PipelineHost.BrokerVariable] = broker.AbsoluteUri;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start the {kind} pipeline");
        var pipeline = new PipelineProcess(process, kind);
        process.OutputDataReceived += (_, e) => pipeline.OnOutput(e.Data, log);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                log.WriteLine($"{kind}: {e.Data}");
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await pipeline.ExpectAsync(PipelineHost.Declared, cancellationToken);
        }
        catch
        {
            await pipeline.DisposeAsync();
            throw;
        }
        return pipeline;
    }

    /// <summary>Starts consuming and waits until it does.</summary>
    public async Task StartConsumingAsync(CancellationToken cancellationToken)
    {
        await _process.StandardInput.WriteLineAsync(PipelineHost.Start.AsMemory(), cancellationToken);
        await _process.StandardInput.FlushAsync(cancellationToken);
        await ExpectAsync(PipelineHost.Started, cancellationToken);
    }

    private void OnOutput(string? line, TextWriter log)
    {
        if (line is null)
            _replies.Writer.TryComplete();
        else if (line.StartsWith('@'))
            _replies.Writer.TryWrite(line);
        else
            log.WriteLine($"{Kind}: {line}");
    }

    private async Task ExpectAsync(string reply, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReplyTimeout);
        try
        {
            if (await _replies.Reader.ReadAsync(timeout.Token) is var line && line != reply)
                throw new InvalidOperationException($"the {Kind} pipeline said {line}, expected {reply}");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"the {Kind} pipeline exited before it said {reply}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the {Kind} pipeline did not say {reply} within {ReplyTimeout.TotalSeconds:F0}s");
        }
    }

    /// <summary>Ends its stdin (it stops and exits), killing it if it has not exited within 30s.</summary>
    public async ValueTask DisposeAsync()
    {
        await Monitor.StopAsync(() =>
        {
            _process.StandardInput.Close();
            return Task.CompletedTask;
        });
        _process.Dispose();
    }
}
