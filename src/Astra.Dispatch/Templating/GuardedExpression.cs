using Fluid;
using Fluid.Ast;
using Fluid.Values;

namespace Astra.Dispatch.Templating;

/// <summary>The expression of an output tag, guarded: a value that Fluid might write unencoded is wrapped in a <see cref="GuardedValue"/>.</summary>
internal sealed class GuardedExpression(Expression inner) : Expression
{
    public override ValueTask<FluidValue> EvaluateAsync(TemplateContext context)
    {
        var task = inner.EvaluateAsync(context);
        return task.IsCompletedSuccessfully ? ValueTask.FromResult(Guard(task.Result, context)) : Awaited(task, context);

        static async ValueTask<FluidValue> Awaited(ValueTask<FluidValue> task, TemplateContext context) => Guard(await task, context);
    }

    // Plain strings, numbers and booleans always go through the encoder; nil writes nothing.
    private static FluidValue Guard(FluidValue value, TemplateContext context)
    {
        RenderContext.CheckAllocations(context);
        return value is StringValue { Encode: true } or NumberValue or BooleanValue or NilValue ? value : new GuardedValue(value);
    }
}
