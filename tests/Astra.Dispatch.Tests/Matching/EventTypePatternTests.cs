using Astra.Dispatch.Matching;
using Astra.Dispatch.Tests.Support;

namespace Astra.Dispatch.Tests.Matching;

public sealed class EventTypePatternTests
{
    [Theory]
    [InlineData("lead.captured", "lead.captured", true)]
    [InlineData("lead.captured", "lead.captured2", false)]
    [InlineData("form.*", "form.submitted", true)]
    [InlineData("form.*", "form.submitted.v2", false)]
    [InlineData("form.*", "form", false)]
    [InlineData("form.*", "forms.submitted", false)]
    [InlineData("form.**", "form.submitted.v2", true)]
    [InlineData("*.submitted", "form.submitted", true)]
    [InlineData("*.submitted", "a.form.submitted", false)]
    [InlineData("**.submitted", "a.form.submitted", true)]
    [InlineData("*", "anything.at.all", true)]
    [InlineData("lead.*d", "lead.captured", true)]
    [InlineData("lead.*d", "lead.capture", false)]
    [InlineData("a**b", "a.x.b", true)]
    [InlineData("a*b", "a.b", false)]
    [InlineData("***", "a.b", true)]
    [InlineData("a.*.*", "a.b.", true)]
    [InlineData("**", "", true)]
    [InlineData("*x", "", false)]
    public void Matches_Glob_AsDocumented(string pattern, string type, bool expected) =>
        Assert.Equal(expected, new EventTypePattern(pattern).Matches(type));

    /// <summary>The matcher agrees with main's backtracking one (kept below as the reference) on random globs and types.</summary>
    [Fact]
    public void Matches_RandomGlobsAndTypes_SameAsTheBacktrackingReference()
    {
        var random = new Random(20261130);
        var mismatches = new List<string>();
        for (var i = 0; i < 50_000; i++)
        {
            var pattern = RandomText(random, "ab.*", random.Next(1, 11));
            var type = RandomText(random, "ab.", random.Next(0, 13));
            var expected = pattern == "*" || Reference(pattern, type);
            if (new EventTypePattern(pattern).Matches(type) != expected)
                mismatches.Add($"'{pattern}' ~ '{type}': expected {expected}");
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(20)));
    }

    /// <summary>On main this glob against a long type backtracked exponentially (one event pinned a core for minutes).
    /// Here the work is counted, not timed: at most (tokens + 1) steps per character, plus one closure per character.</summary>
    [Fact]
    public void Matches_BacktrackingAttack_StepsBoundedByPatternTimesTypeLength()
    {
        const string Attack = "**a**a**a**a**a**a**a**a**a**a**a**b";
        var type = string.Join('.', Enumerable.Repeat("aaaaaaaaa", 20));
        long steps = 0;

        Assert.False(new EventTypePattern(Attack).Matches(type, ref steps));

        Assert.True(steps <= 2L * (Attack.Length + 1) * (type.Length + 1), $"{steps} steps");
    }

    [Fact]
    public void Compile_TooManyWildcards_ErrorOnThePattern()
    {
        var error = Assert.Single(Some.Errors(Some.Definition(events: ["**a**a**a**a**a**a**a**a**a**a**a**b"])));

        Assert.Equal("trigger.events[0]", error.Path);
        Assert.Contains("has 24 '*'; the limit is 8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_EightWildcards_Accepted() =>
        Assert.Empty(Some.Errors(Some.Definition(events: ["**.a.**.b.**.c.**"])));

    [Fact]
    public void Compile_TooManyPatterns_ErrorOnTheList()
    {
        var error = Assert.Single(Some.Errors(Some.Definition(events: Enumerable.Range(0, 51).Select(i => $"e{i}"))));

        Assert.Equal("trigger.events", error.Path);
        Assert.Contains("the limit is 50", error.Message, StringComparison.Ordinal);
    }

    private static string RandomText(Random random, string alphabet, int length) =>
        new([.. Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)])]);

    /// <summary>Main's matcher: recursion at every star, exponential in the number of stars, fine for short inputs.</summary>
    private static bool Reference(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        while (!pattern.IsEmpty)
        {
            if (pattern.StartsWith("**"))
            {
                for (var i = 0; i <= text.Length; i++)
                {
                    if (Reference(pattern[2..], text[i..]))
                        return true;
                }
                return false;
            }
            if (pattern[0] == '*')
            {
                for (var i = 0; i <= text.Length; i++)
                {
                    if (Reference(pattern[1..], text[i..]))
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
}
