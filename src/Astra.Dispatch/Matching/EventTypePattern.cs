namespace Astra.Dispatch.Matching;

/// <summary>
/// An event-type trigger: an exact name, or a glob where <c>*</c> matches within one dot-separated segment
/// and <c>**</c> (or a lone <c>*</c>) matches across segments.
/// </summary>
/// <remarks>
/// A glob is matched by walking all its positions at once over the type, one character at a time (a Thompson
/// simulation), so the work is at most (glob length + 1) × (type length + 1) steps whatever the glob: a backtracking
/// matcher takes exponential time on globs like <c>**a**a**a…b</c>. A compiled regex with
/// <c>RegexOptions.NonBacktracking</c> would be linear too, but each one carries its own automaton and cache, and a
/// catalog holds up to 50 globs for each of thousands of rules; this needs no memory but the glob.
/// </remarks>
public sealed class EventTypePattern
{
    private const char Segment = '*';
    private const char AnySegments = '\0';

    private readonly string _pattern;

    // The glob as one token per character: a literal character, Segment (*) or AnySegments (**).
    private readonly char[] _tokens;

    /// <summary>A pattern as written in a rule's trigger.</summary>
    public EventTypePattern(string pattern)
    {
        _pattern = pattern;
        IsExact = !pattern.Contains('*', StringComparison.Ordinal);
        _tokens = IsExact ? [] : Tokenize(pattern);
    }

    /// <summary>Whether the pattern has no wildcard.</summary>
    public bool IsExact { get; }

    /// <summary>The pattern as written.</summary>
    public string Text => _pattern;

    /// <summary>Whether <paramref name="eventType"/> matches.</summary>
    public bool Matches(string eventType)
    {
        long steps = 0;
        return Matches(eventType, ref steps);
    }

    /// <summary>As <see cref="Matches(string)"/>, adding the steps taken to <paramref name="steps"/> (for tests of the bound).</summary>
    internal bool Matches(string eventType, ref long steps)
    {
        if (IsExact)
            return string.Equals(_pattern, eventType, StringComparison.Ordinal);
        if (_pattern == "*")
            return true;
        var n = _tokens.Length;
        Span<bool> current = n < 256 ? stackalloc bool[n + 1] : new bool[n + 1];
        Span<bool> next = n < 256 ? stackalloc bool[n + 1] : new bool[n + 1];
        current[0] = true;
        Close(current, ref steps);
        foreach (var c in eventType)
        {
            next.Clear();
            var any = false;
            for (var i = 0; i < n; i++)
            {
                steps++;
                if (!current[i])
                    continue;
                var token = _tokens[i];
                // A star stays where it is after consuming a character; a literal moves on.
                if (token == AnySegments || (token == Segment && c != '.'))
                    any = next[i] = true;
                else if (token == c)
                    any = next[i + 1] = true;
            }
            if (!any)
                return false;
            Close(next, ref steps);
            var swap = current;
            current = next;
            next = swap;
        }
        return current[n];
    }

    /// <summary>A star may also match nothing: every state before one reaches the state after it.</summary>
    private void Close(Span<bool> states, ref long steps)
    {
        for (var i = 0; i < _tokens.Length; i++)
        {
            steps++;
            if (states[i] && _tokens[i] is Segment or AnySegments)
                states[i + 1] = true;
        }
    }

    private static char[] Tokenize(string pattern)
    {
        var tokens = new List<char>(pattern.Length);
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                tokens.Add(AnySegments);
                i++;
            }
            else
            {
                tokens.Add(pattern[i]);
            }
        }
        return [.. tokens];
    }

    /// <summary>The pattern as written.</summary>
    public override string ToString() => _pattern;
}
