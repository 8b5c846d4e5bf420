namespace Astra.Dispatch.Templating;

/// <summary>
/// Reads a template's source before it is parsed: its length, and how deeply it nests block tags and brackets.
/// Fluid's parser and renderer recurse once per level, and a stack overflow cannot be caught in .NET, so
/// 3,000 nested <c>{% if %}</c> would end the process. Fluid's own parser limit
/// (<see cref="LiquidEngine.ParserRecursionDepth"/>) stays behind this scan as a second line; the scan is the one
/// that gives the author a clear message. Where the scan and Fluid could read a template differently, the scan
/// counts more, never less (endraw is found leniently, comments count their inner tags).
/// </summary>
internal static class TemplateScan
{
    private static readonly HashSet<string> Blocks = new(StringComparer.Ordinal) { "if", "unless", "for", "case", "capture", "tablerow", "ifchanged" };

    /// <summary>Null when the source is within the limits; otherwise the reason.</summary>
    public static string? Check(string source, int maxChars, int maxDepth)
    {
        if (source.Length > maxChars)
            return $"is {source.Length} characters; the limit is {maxChars} (Dispatch:Templates)";
        var blocks = 0;
        var i = 0;
        while ((i = NextDelimiter(source, i)) >= 0)
        {
            string? error;
            if (source[i + 1] == '{')
            {
                (i, error) = ScanMarkup(source, i + 2, "}}", maxDepth);
                if (error is not null)
                    return error;
                continue;
            }
            var (name, afterName) = TagName(source, i + 2);
            switch (name)
            {
                case "raw" or "doc":
                    i = SkipTo(source, afterName, "end" + name);
                    continue;
                case "comment":
                    (i, error) = SkipComment(source, afterName, blocks, maxDepth);
                    if (error is not null)
                        return error;
                    continue;
                case "#":
                    // An inline comment is any text up to %}, quotes included, as Fluid reads it.
                    i = source.IndexOf("%}", afterName, StringComparison.Ordinal);
                    continue;
            }
            if (Blocks.Contains(name) && ++blocks > maxDepth)
                return $"nests block tags more than {maxDepth} deep (line {Line(source, i)}; Dispatch:Templates:MaxNestingDepth)";
            if (name.StartsWith("end", StringComparison.Ordinal) && Blocks.Contains(name[3..]) && blocks > 0)
                blocks--;
            (i, error) = ScanMarkup(source, afterName, "%}", maxDepth);
            if (error is not null)
                return error;
        }
        return null;
    }

    /// <summary>The next <c>{{</c> or <c>{%</c> from <paramref name="from"/>; -1 when there is none, or when a scan before
    /// ran to the end of the source (an unterminated tag, which Fluid refuses).</summary>
    private static int NextDelimiter(string source, int from)
    {
        if (from < 0)
            return -1;
        for (var i = source.IndexOf('{', from); i >= 0 && i + 1 < source.Length; i = source.IndexOf('{', i + 1))
        {
            if (source[i + 1] is '{' or '%')
                return i;
        }
        return -1;
    }

    private static (string Name, int End) TagName(string source, int i)
    {
        if (i < source.Length && source[i] == '-')
            i++;
        while (i < source.Length && char.IsWhiteSpace(source[i]))
            i++;
        var start = i;
        while (i < source.Length && (char.IsAsciiLetterOrDigit(source[i]) || source[i] is '_' or '#'))
            i++;
        return (source[start..i], i);
    }

    /// <summary>Reads a tag's or output's markup up to its end, outside string literals, counting ( and [ nesting.
    /// Fluid's string literals have no escapes: a string ends at the next matching quote.</summary>
    private static (int Next, string? Error) ScanMarkup(string source, int i, string end, int maxDepth)
    {
        var depth = 0;
        char quote = '\0';
        for (; i < source.Length; i++)
        {
            var c = source[i];
            if (quote != '\0')
            {
                if (c == quote)
                    quote = '\0';
                continue;
            }
            switch (c)
            {
                case '\'' or '"':
                    quote = c;
                    break;
                case '(' or '[':
                    if (++depth > maxDepth)
                        return (-1, $"nests brackets more than {maxDepth} deep (line {Line(source, i)}; Dispatch:Templates:MaxNestingDepth)");
                    break;
                case ')' or ']':
                    depth = Math.Max(0, depth - 1);
                    break;
                default:
                    if (c == end[0] && i + 1 < source.Length && source[i + 1] == end[1])
                        return (i + 2, null);
                    break;
            }
        }
        return (-1, null);
    }

    /// <summary>Past the first tag named <paramref name="endTag"/>, found as leniently as Fluid or more.</summary>
    private static int SkipTo(string source, int from, string endTag)
    {
        var i = from;
        while ((i = source.IndexOf("{%", i, StringComparison.Ordinal)) >= 0)
        {
            var (name, after) = TagName(source, i + 2);
            if (name == endTag)
                return after;
            i += 2;
        }
        return -1;
    }

    /// <summary>Fluid parses comments recursively (a comment may hold comments), so their nesting counts as blocks.</summary>
    private static (int Next, string? Error) SkipComment(string source, int from, int blocks, int maxDepth)
    {
        var level = 1;
        var i = from;
        while ((i = source.IndexOf("{%", i, StringComparison.Ordinal)) >= 0)
        {
            var (name, after) = TagName(source, i + 2);
            if (name == "comment")
            {
                if (blocks + ++level > maxDepth)
                    return (-1, $"nests comments more than {maxDepth} deep (line {Line(source, i)}; Dispatch:Templates:MaxNestingDepth)");
            }
            else if (name == "endcomment")
            {
                if (--level == 0)
                    return (after, null);
            }
            else if (name == "raw" && (after = SkipTo(source, after, "endraw")) < 0)
            {
                return (-1, null);
            }
            i = after;
        }
        return (-1, null);
    }

    private static int Line(string source, int index) => source.AsSpan(0, Math.Max(0, index)).Count('\n') + 1;
}
