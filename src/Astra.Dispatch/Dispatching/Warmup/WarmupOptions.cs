namespace Astra.Dispatch.Dispatching.Warmup;

/// <summary><c>Dispatch:Warmup</c>: running the hot paths once before the worker reports ready.</summary>
public sealed class WarmupOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Dispatch:Warmup";

    /// <summary>Whether to warm up at all (off, the worker is ready as soon as its bus and rules are).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The longest the worker waits for its warm-up before reporting ready anyway.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);
}
