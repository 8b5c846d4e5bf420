using Fluid;
using Fluid.Ast;

namespace Astra.Dispatch.Templating;

/// <summary>
/// Rewrites a parsed template so that every output tag (<c>{{ }}</c>, <c>echo</c>) writes through a
/// <see cref="GuardedExpression"/>: event data reaches the output only through the render's encoder. Tags that write
/// values by another path (<c>cycle</c>, <c>tablerow</c>, <c>ifchanged</c>) are not registered in <see cref="LiquidEngine"/>.
/// </summary>
internal sealed class OutputGuard : AstRewriter
{
    private static readonly OutputGuard Instance = new();

    public static IFluidTemplate Apply(IFluidTemplate template) => Instance.VisitTemplate(template);

    protected override Statement VisitOutputStatement(OutputStatement outputStatement) =>
        outputStatement.Expression is GuardedExpression ? outputStatement : new OutputStatement(new GuardedExpression(outputStatement.Expression));
}
