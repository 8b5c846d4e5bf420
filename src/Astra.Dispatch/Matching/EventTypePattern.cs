namespace Astra.Dispatch.Matching;

/// <summary>
/// An event-type trigger: an exact name, or a glob where <c>*</c> matches within one dot-separated segment
/// and <c>**</c> (or a lone <c>*</c>) matches across segments.
/// </summary>
public sealed class EventTypePattern
{
    private readonly string _pattern;

    /// <summary>A pattern as written in a rule's trigger.</summary>
    public EventTypePattern(string pattern)
    {
        _pattern = pattern;
        IsExact = !pattern.Contains('*', StringComparison.Ordinal);
    }

    /// <summary>Whether the pattern has no wildcard.</summary>
    public bool IsExact { get; }

    /// <summary>The pattern as written.</summary>
    public string Text => _pattern;

    /// <summary>Whether <paramref name="eventType"/> matches.</summary>
    public bool Matches(string eventType) =>
        IsExact ? string.Equals(_pattern, eventType, StringComparison.Ordinal) : _pattern == "*" || Glob(_pattern, eventType);

    private static bool Glob(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        while (!pattern.IsEmpty)
        {
            if (pattern.StartsWith("**"))
            {
                var rest = pattern[2..];
                for (var i = 0; i <= text.Length; i++)
                {
                    if (Glob(rest, text[i..]))
                        return true;
                }
                return false;
            }
            if (pattern[0] == '*')
            {
                var rest = pattern[1..];
                for (var i = 0; i <= text.Length; i++)
                {
                    if (Glob(rest, text[i..]))
                        return true;
                    if (i < text.Length && text[i] == '.')
                        return false;
                }
                return false;
            }
            if (text.IsEmpty || pattern[0] != text[0])
                return false;
            pattern = pattern[1..];
            text = text[1..];
        }
        return text.IsEmpty;
    }

    /// <summary>The pattern as written.</summary>
    public override string ToString() => _pattern;
}
