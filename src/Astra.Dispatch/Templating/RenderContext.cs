using System.Text.Encodings.Web;
using Fluid;
using Fluid.Values;

namespace Astra.Dispatch.Templating;

/// <summary>
/// The context of one request's render or one condition (<see cref="LiquidEngine.CreateContext"/>): besides Fluid's
/// limits, the encoder of the template being rendered (see <see cref="TrustedFragments"/>) and an allocation budget.
/// </summary>
/// <remarks>
/// Fluid bounds each string a template builds, not how many it builds: a loop that assigns a large string to a
/// variable on every pass stays under every other limit and allocates until the deadline. Every assign, capture and
/// output checks the bytes allocated on this thread since the context was made. Fluid renders synchronously here (no
/// file system, no async filters); should a render ever resume on another thread, the check is skipped and the
/// deadline still bounds it.
/// </remarks>
internal sealed class RenderContext : TemplateContext
{
    private readonly long _maxAllocatedBytes;
    private readonly int _thread = Environment.CurrentManagedThreadId;
    private readonly long _allocatedAtStart = GC.GetAllocatedBytesForCurrentThread();

    public RenderContext(TemplateOptions options, long maxAllocatedBytes, CancellationToken deadline)
        : base(options)
    {
        _maxAllocatedBytes = maxAllocatedBytes;
        CancellationToken = deadline;
    }

    /// <summary>The encoder of the template being rendered, set by <see cref="LiquidEngine.RenderAsync"/>.</summary>
    public TextEncoder? Encoder { get; set; }

    public static ValueTask<FluidValue> OnAssigned(string identifier, FluidValue value, TemplateContext context)
    {
        CheckAllocations(context);
        return ValueTask.FromResult(value);
    }

    public static void CheckAllocations(TemplateContext context)
    {
        if (context is RenderContext { _thread: var thread } render && thread == Environment.CurrentManagedThreadId
            && GC.GetAllocatedBytesForCurrentThread() - render._allocatedAtStart > render._maxAllocatedBytes)
            throw new TemplateLimitException($"rendering allocated more than {render._maxAllocatedBytes / (1024 * 1024)} MiB (Dispatch:Templates:MaxAllocatedBytes)");
    }
}
