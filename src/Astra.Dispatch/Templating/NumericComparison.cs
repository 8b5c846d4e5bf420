using System.Globalization;
using Fluid;
using Fluid.Ast;
using Fluid.Ast.BinaryExpressions;
using Fluid.Values;

namespace Astra.Dispatch.Templating;

/// <summary>
/// A string compared with a number compares as a number when it holds one (form fields often send
/// <c>"score": "87"</c>), so <c>data.score &gt;= 50</c> means what it says; Fluid alone compares it as text
/// ("100" &lt; "50", "eighty" &gt;= "50"). A string that holds no number is neither equal to, greater nor less than
/// any number. Two strings still compare as text; numbers and everything else as Fluid does.
/// </summary>
internal static class NumericComparison
{
    public static void Register(FluidParser parser)
    {
        parser.RegisteredOperators["=="] = (l, r) => new Coerced(l, r, (a, b) => new EqualBinaryExpression(a, b), BooleanValue.False);
        parser.RegisteredOperators["!="] = (l, r) => new Coerced(l, r, (a, b) => new NotEqualBinaryExpression(a, b), BooleanValue.True);
        parser.RegisteredOperators["<>"] = parser.RegisteredOperators["!="];
        parser.RegisteredOperators[">"] = (l, r) => new Coerced(l, r, (a, b) => new GreaterThanBinaryExpression(a, b, true), BooleanValue.False);
        parser.RegisteredOperators[">="] = (l, r) => new Coerced(l, r, (a, b) => new GreaterThanBinaryExpression(a, b, false), BooleanValue.False);
        parser.RegisteredOperators["<"] = (l, r) => new Coerced(l, r, (a, b) => new LowerThanBinaryExpression(a, b, true), BooleanValue.False);
        parser.RegisteredOperators["<="] = (l, r) => new Coerced(l, r, (a, b) => new LowerThanBinaryExpression(a, b, false), BooleanValue.False);
    }

    /// <summary>A string holding a plain number (invariant culture, no thousands separators), as that number.</summary>
    private static bool TryNumber(FluidValue value, TemplateContext context, out FluidValue number)
    {
        var ok = decimal.TryParse(value.ToStringValue(context).Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
            CultureInfo.InvariantCulture, out var parsed);
        number = ok ? NumberValue.Create(parsed) : value;
        return ok;
    }

    /// <summary>Fluid's own comparison (<c>stock</c>) after the coercion; <c>notANumber</c> is the answer when a string that holds no number meets a number.</summary>
    private sealed class Coerced(Expression left, Expression right, Func<Expression, Expression, Expression> stock, FluidValue notANumber) : BinaryExpression(left, right)
    {
        public override async ValueTask<FluidValue> EvaluateAsync(TemplateContext context)
        {
            var l = await Left.EvaluateAsync(context);
            var r = await Right.EvaluateAsync(context);
            if (l is StringValue && r is NumberValue && !TryNumber(l, context, out l))
                return notANumber;
            if (r is StringValue && l is NumberValue && !TryNumber(r, context, out r))
                return notANumber;
            return await stock(new LiteralExpression(l), new LiteralExpression(r)).EvaluateAsync(context);
        }
    }
}
