using Fluid;
using Fluid.Ast;
using Fluid.Values;

namespace Astra.Dispatch.Templating;

/// <summary>Finds ranges written with literal bounds, such as <c>(1..10000000)</c>, wider than a limit: an error the
/// author can be told at import rather than a failure of every delivery.</summary>
internal sealed class LiteralRanges(int maxItems) : AstVisitor
{
    public string? Error { get; private set; }

    public static string? Check(IFluidTemplate template, int maxItems)
    {
        var visitor = new LiteralRanges(maxItems);
        visitor.VisitTemplate(template);
        return visitor.Error;
    }

    protected override Expression VisitRangeExpression(RangeExpression rangeExpression)
    {
        if (rangeExpression is { From: LiteralExpression { Value: NumberValue from }, To: LiteralExpression { Value: NumberValue to } })
        {
            var items = decimal.Floor(to.ToNumberValue(null!)) - decimal.Floor(from.ToNumberValue(null!)) + 1;
            if (items > maxItems && Error is null)
                Error = $"the range ({from.ToNumberValue(null!)}..{to.ToNumberValue(null!)}) has {items} items; the limit is {maxItems} (Dispatch:Templates:MaxCollectionSize)";
        }
        return base.VisitRangeExpression(rangeExpression);
    }

    // Our own comparison operators (NumericComparison) are not known to Fluid's visitor: walk their operands.
    public override Expression VisitOtherExpression(Expression expression)
    {
        if (expression is BinaryExpression binary)
        {
            Visit(binary.Left);
            Visit(binary.Right);
        }
        return expression;
    }
}
