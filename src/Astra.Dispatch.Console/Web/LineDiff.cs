namespace Astra.Dispatch.Console.Web;

/// <summary>A line diff (longest common subsequence) of two revisions' YAML: small texts, so the quadratic table is fine.</summary>
internal static class LineDiff
{
    /// <summary>What happened to one line: kept (' '), removed ('-') or added ('+').</summary>
    public sealed record Line(char Kind, string Text);

    /// <summary>Texts over this many lines each are compared as removed-then-added, not line by line.</summary>
    public const int MaxLines = 2000;

    public static IReadOnlyList<Line> Compare(string before, string after)
    {
        var a = Split(before);
        var b = Split(after);
        if (a.Length > MaxLines || b.Length > MaxLines)
            return [.. a.Select(l => new Line('-', l)), .. b.Select(l => new Line('+', l))];
        // lcs[i, j]: the longest common subsequence of a[i..] and b[j..].
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
        }
        var lines = new List<Line>();
        int x = 0, y = 0;
        while (x < a.Length && y < b.Length)
        {
            if (a[x] == b[y])
            {
                lines.Add(new Line(' ', a[x++]));
                y++;
            }
            else if (lcs[x + 1, y] >= lcs[x, y + 1])
                lines.Add(new Line('-', a[x++]));
            else
                lines.Add(new Line('+', b[y++]));
        }
        while (x < a.Length)
            lines.Add(new Line('-', a[x++]));
        while (y < b.Length)
            lines.Add(new Line('+', b[y++]));
        return lines;
    }

    private static string[] Split(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
}
