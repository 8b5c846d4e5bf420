using System.Text.Encodings.Web;
using Fluid;
using Fluid.Values;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Templating;

/// <summary>
/// The one Liquid dialect used for templates and conditions. Fluid has no file-system or network tags; templates
/// are bounded in size and nesting before they are parsed, and every render in steps, recursion, output size,
/// collection size and time (<see cref="TemplateLimits"/>). Every output tag writes through the render's encoder
/// (<see cref="OutputGuard"/>).
/// </summary>
internal sealed class LiquidEngine
{
    /// <summary>Fluid's own parser limit, behind <see cref="TemplateScan"/>: it counts about two units per nested block.</summary>
    internal const int ParserRecursionDepth = 128;

    /// <summary>The deepest <see cref="TemplateLimits.MaxNestingDepth"/> the parser limit above leaves room for.</summary>
    internal const int MaxSupportedNesting = 48;

    private const int MaxErrorChars = 300;

    private static readonly TemplateLimits Defaults = new();
    private static readonly FluidParser Parser = CreateParser();

    private readonly TemplateOptions _options;
    private readonly RenderDeadlines _deadlines;

    public LiquidEngine()
        : this(Options.Create(new TemplateLimits()), TimeProvider.System)
    {
    }

    public LiquidEngine(IOptions<TemplateLimits> limits, TimeProvider time)
    {
        Limits = limits.Value;
        _options = new TemplateOptionsBuilder()
            .WithMaxSteps(Limits.MaxSteps)
            .WithMaxRecursion(Limits.MaxRecursion)
            .WithMaxOutputSize(Limits.MaxOutputChars)
            .WithMaxCollectionSize(Limits.MaxCollectionSize)
            .WithModelNamesComparer(StringComparer.Ordinal)
            .WithCaptured(TrustedFragments.OnCaptured)
            .WithAssigned(RenderContext.OnAssigned)
            .AddFilter("json", JsonFilter.Apply)
            .AddFilter("url_encode", (input, _, context) => ValueTask.FromResult(TrustedFragments.UrlEncoded(Uri.EscapeDataString(input.ToStringValue(context)))))
            .Build();
        _deadlines = new RenderDeadlines(Limits.RenderTimeout, time);
    }

    public TemplateLimits Limits { get; }

    private static FluidParser CreateParser()
    {
        var parser = new FluidParser(new FluidParserOptions { AllowFunctions = false, MaxRecursionDepth = ParserRecursionDepth });
        // Templates cannot name files at all, so a rule is refused at import rather than failing at render. cycle,
        // tablerow and ifchanged write values past the output guard, and liquid nests tags inside one tag, out of
        // TemplateScan's sight; none of them is of use in a request.
        foreach (var tag in (string[])["include", "render", "cycle", "tablerow", "ifchanged", "liquid"])
            parser.RegisteredTags.Remove(tag);
        NumericComparison.Register(parser);
        return parser;
    }

    public static bool TryParse(string source, out IFluidTemplate? template, out string? error) =>
        TryParse(source, Defaults, out template, out error);

    /// <summary>Parses a template within <paramref name="limits"/>: its size and nesting are checked before Fluid sees it,
    /// and ranges with literal bounds against the collection limit after.</summary>
    public static bool TryParse(string source, TemplateLimits limits, out IFluidTemplate? template, out string? error) =>
        TryParse(source, limits.MaxTemplateChars, limits, out template, out error);

    /// <summary>A condition is a Liquid expression as used in <c>{% if %}</c>; it is wrapped so Fluid parses it.</summary>
    public static bool TryParseCondition(string expression, out IFluidTemplate? template, out string? error) =>
        TryParseCondition(expression, Defaults, out template, out error);

    public static bool TryParseCondition(string expression, TemplateLimits limits, out IFluidTemplate? template, out string? error)
    {
        template = null;
        if (expression.Length > limits.MaxConditionChars)
        {
            error = $"is {expression.Length} characters; the limit is {limits.MaxConditionChars} (Dispatch:Templates)";
            return false;
        }
        if (expression.Contains("%}", StringComparison.Ordinal) || expression.Contains("{%", StringComparison.Ordinal))
        {
            error = "a condition is an expression, without {% %} tags";
            return false;
        }
        return TryParse("{% if " + expression + " %}1{% endif %}", int.MaxValue, limits, out template, out error);
    }

    private static bool TryParse(string source, int maxChars, TemplateLimits limits, out IFluidTemplate? template, out string? error)
    {
        template = null;
        error = TemplateScan.Check(source, maxChars, limits.MaxNestingDepth);
        if (error is not null)
            return false;
        if (!Parser.TryParse(source, out var parsed, out error))
        {
            error = Shorten(error);
            return false;
        }
        error = LiteralRanges.Check(parsed, limits.MaxCollectionSize);
        if (error is not null)
            return false;
        template = OutputGuard.Apply(parsed);
        return true;
    }

    /// <summary>Fluid's parse errors quote the template after "Source:"; the author has it, and a message stays one line.</summary>
    private static string Shorten(string? error)
    {
        var text = error ?? "cannot be parsed";
        var source = text.IndexOf("\nSource:", StringComparison.Ordinal);
        text = (source >= 0 ? text[..source] : text).ReplaceLineEndings(" ").Trim();
        return text.Length <= MaxErrorChars ? text : text[..MaxErrorChars] + "…";
    }

    /// <summary>A context for one request's render or one condition: the limits, and a deadline that starts now.</summary>
    public TemplateContext CreateContext(IReadOnlyDictionary<string, object?> model)
    {
        var context = new RenderContext(_options, Limits.MaxAllocatedBytes, _deadlines.Next());
        foreach (var (key, value) in model)
        {
            if (value is null)
                context.SetValue(key, NilValue.Instance);
            else
                context.SetValue(key, value);
        }
        return context;
    }

    /// <summary>Renders in a scope of its own, so values assigned by one template are not seen by the next.</summary>
    public static async ValueTask<string> RenderAsync(IFluidTemplate template, TemplateContext context, TextEncoder? encoder = null)
    {
        encoder ??= NullEncoder.Default;
        if (context is RenderContext render)
            render.Encoder = encoder;
        try
        {
            return await template.RenderAsync(context, encoder);
        }
        catch (Exception ex) when (RenderFailure.IsLimit(ex, context))
        {
            throw new TemplateLimitException(RenderFailure.Describe(ex, context));
        }
    }

    public static async ValueTask<bool> EvaluateAsync(IFluidTemplate condition, TemplateContext context) =>
        await RenderAsync(condition, context) == "1";
}
