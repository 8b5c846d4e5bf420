using System.Text.Encodings.Web;
using Fluid;
using Fluid.Values;

namespace Astra.Dispatch.Templating;

/// <summary>
/// The one Liquid dialect used for templates and conditions. Fluid has no file-system or network tags,
/// and every render is bounded in steps, recursion and output size.
/// </summary>
internal sealed class LiquidEngine
{
    public const int MaxSteps = 100_000;
    public const int MaxOutputChars = 1024 * 1024;

    private static readonly FluidParser Parser = CreateParser();
    private readonly TemplateOptions _options;

    public LiquidEngine()
    {
        _options = new TemplateOptions
        {
            MaxSteps = MaxSteps,
            MaxRecursion = 20,
            ModelNamesComparer = StringComparer.Ordinal,
        };
        _options.Filters.AddFilter("json", JsonFilter.Apply);
        _options.Filters.AddFilter("url_encode", (input, _, _) => new StringValue(Uri.EscapeDataString(input.ToStringValue())));
    }

    private static FluidParser CreateParser()
    {
        var parser = new FluidParser(new FluidParserOptions { AllowFunctions = false });
        // Templates cannot name files at all, so a rule is refused at import rather than failing at render.
        parser.RegisteredTags.Remove("include");
        parser.RegisteredTags.Remove("render");
        NumericComparison.Register(parser);
        return parser;
    }

    public static bool TryParse(string source, out IFluidTemplate? template, out string? error)
    {
        if (Parser.TryParse(source, out var parsed, out error))
        {
            template = parsed;
            return true;
        }
        template = null;
        return false;
    }

    /// <summary>A condition is a Liquid expression as used in <c>{% if %}</c>; it is wrapped so Fluid parses it.</summary>
    public static bool TryParseCondition(string expression, out IFluidTemplate? template, out string? error)
    {
        if (expression.Contains("%}", StringComparison.Ordinal) || expression.Contains("{%", StringComparison.Ordinal))
        {
            template = null;
            error = "a condition is an expression, without {% %} tags";
            return false;
        }
        return TryParse("{% if " + expression + " %}1{% endif %}", out template, out error);
    }

    public TemplateContext CreateContext(IReadOnlyDictionary<string, object?> model)
    {
        var context = new TemplateContext(_options);
        foreach (var (key, value) in model)
            context.SetValue(key, value);
        return context;
    }

    public static async ValueTask<string> RenderAsync(IFluidTemplate template, TemplateContext context, TextEncoder? encoder = null)
    {
        using var writer = new BoundedStringWriter(MaxOutputChars);
        await template.RenderAsync(writer, encoder ?? NullEncoder.Default, context);
        return writer.ToString();
    }

    public static async ValueTask<bool> EvaluateAsync(IFluidTemplate condition, TemplateContext context) =>
        await RenderAsync(condition, context) == "1";
}
