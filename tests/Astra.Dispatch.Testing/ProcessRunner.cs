using System.Diagnostics;
using System.Text;

namespace Astra.Dispatch.Testing;

internal sealed record ProcessResult(int ExitCode, string Output)
{
    public bool Succeeded => ExitCode == 0;
}

internal static class ProcessRunner
{
    public static async Task<ProcessResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            ApplyEnvironment(info, environment);
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutCts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(timeoutCts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"'{fileName} {string.Join(' ', info.ArgumentList)}' did not finish within {timeout.TotalSeconds:0}s. Output:\n{Snapshot(output)}");
        }

        return new ProcessResult(process.ExitCode, Snapshot(output));
    }

    /// <summary>
    /// Copies the given variables over the inherited environment and drops inherited RabbitMQ/Erlang and
    /// libpq/PostgreSQL settings (PGDATA, PGPORT, PGHOST...) that would leak into a private node or server.
    /// </summary>
    public static void ApplyEnvironment(ProcessStartInfo info, IReadOnlyDictionary<string, string> environment)
    {
        foreach (var key in info.Environment.Keys.ToList())
        {
            var inheritedBrokerSetting = key.StartsWith("RABBITMQ_", StringComparison.Ordinal)
                || (key.StartsWith("ERL_", StringComparison.Ordinal) && !key.StartsWith("ERL_EPMD_", StringComparison.Ordinal))
                || key == "NOTIFY_SOCKET" // would switch rabbitmq-server into systemd mode
                || IsPostgresSetting(key);
            if (inheritedBrokerSetting)
            {
                info.Environment.Remove(key);
            }
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
    }

    private static bool IsPostgresSetting(string key) =>
        key.Length > 2 && key.StartsWith("PG", StringComparison.Ordinal) && key.All(c => char.IsAsciiLetterUpper(c) || c == '_');

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
