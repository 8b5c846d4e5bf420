using System.Diagnostics;

namespace Astra.Dispatch.Benchmarks;

/// <summary>
/// CPU time of the broker's Erlang VM (<c>beam.smp</c>) when the benchmark started the node itself, so each side's
/// cost to the broker per delivery can be compared. Not available for a broker given with <c>--broker</c> or in a container.
/// </summary>
internal sealed class BrokerCpu(Process beam)
{
    public TimeSpan Used
    {
        get
        {
            beam.Refresh();
            return beam.TotalProcessorTime;
        }
    }

    /// <summary>
    /// The <c>beam.smp</c> of the node this benchmark started, found by the AMQP port in its environment: run inside
    /// the test host, other tests' nodes are descendants of this process too (one was once stopped mid-run).
    /// </summary>
    public static BrokerCpu? FindOwnNode(int amqpPort)
    {
        var setting = $"RABBITMQ_NODE_PORT={amqpPort.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        BrokerCpu? own = null;
        foreach (var process in Process.GetProcessesByName("beam.smp"))
        {
            if (own is null && EnvironmentOf(process.Id).Contains(setting))
                own = new BrokerCpu(process);
            else
                process.Dispose();
        }
        return own;
    }

    /// <summary>The variables of a process from <c>/proc/PID/environ</c>; none if it is gone or not ours to read.</summary>
    private static string[] EnvironmentOf(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/environ").Split('\0');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
