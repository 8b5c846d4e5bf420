using Fluid;

namespace Astra.Dispatch.Templating;

/// <summary>One message per way a render fails, naming the limit it hit, never the data it was rendering.</summary>
internal static class RenderFailure
{
    /// <summary>A failure whose Fluid message would mislead: the deadline (a cancellation) and the loop depth.</summary>
    public static bool IsLimit(Exception ex, TemplateContext context) =>
        ex is OperationCanceledException && context.CancellationToken.IsCancellationRequested
        || ex is InvalidOperationException && ex.Message.StartsWith("The maximum level of recursion", StringComparison.Ordinal);

    public static string Describe(Exception ex, TemplateContext context) => ex switch
    {
        OperationCanceledException when context.CancellationToken.IsCancellationRequested =>
            "rendering did not finish within the render deadline (Dispatch:Templates:RenderTimeout)",
        // Fluid's message blames include tags, which templates cannot use.
        InvalidOperationException when ex.Message.StartsWith("The maximum level of recursion", StringComparison.Ordinal) =>
            $"loops are nested more than {context.Options.MaxRecursion} deep (Dispatch:Templates:MaxRecursion)",
        _ => ex.Message,
    };
}
