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

    /// <summary>The <c>beam.smp</c> among this process's descendants, if any.</summary>
    public static BrokerCpu? FindOwnNode()
    {
        var self = Environment.ProcessId;
        BrokerCpu? own = null;
        foreach (var process in Process.GetProcessesByName("beam.smp"))
        {
            if (own is null && IsDescendantOf(process.Id, self))
                own = new BrokerCpu(process);
            else
                process.Dispose();
        }
        return own;
    }

    private static bool IsDescendantOf(int pid, int ancestor)
    {
        for (var parent = ParentOf(pid); parent > 1; parent = ParentOf(parent))
        {
            if (parent == ancestor)
                return true;
        }
        return false;
    }

    /// <summary>The parent pid from <c>/proc/PID/stat</c> (the field after the state, past the parenthesized name); 0 if gone.</summary>
    private static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
