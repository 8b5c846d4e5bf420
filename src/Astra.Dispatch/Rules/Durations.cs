using System.Globalization;

namespace Astra.Dispatch.Rules;

/// <summary>Parses the short durations used in rules and config: <c>500ms</c>, <c>5s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c>.</summary>
public static class Durations
{
    /// <summary>Parses <c>500ms</c>, <c>5s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c> (up to a year).</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        var s = text.Trim();
        var unitStart = 0;
        while (unitStart < s.Length && (char.IsAsciiDigit(s[unitStart]) || s[unitStart] == '.'))
            unitStart++;
        if (unitStart == 0 || !double.TryParse(s[..unitStart], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
            return false;
        double? ms = s[unitStart..] switch
        {
            "ms" => n,
            "s" => n * 1000,
            "m" or "min" => n * 60_000,
            "h" => n * 3_600_000,
            "d" => n * 86_400_000,
            _ => null,
        };
        if (ms is not { } total || total > TimeSpan.FromDays(365).TotalMilliseconds)
            return false;
        value = TimeSpan.FromMilliseconds(total);
        return true;
    }

    /// <summary>Parses a duration or throws a <see cref="FormatException"/> naming the forms.</summary>
    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value) ? value : throw new FormatException($"'{text}' is not a duration such as 500ms, 5s, 5m, 2h or 1d.");

    /// <summary>Whether <paramref name="value"/> is a whole number of seconds, at least one: the delays a delay tier can have.</summary>
    public static bool IsWholeSeconds(TimeSpan value) => value >= TimeSpan.FromSeconds(1) && value.Ticks % TimeSpan.TicksPerSecond == 0;

    /// <summary>The shortest exact spelling of <paramref name="value"/>.</summary>
    public static string Format(TimeSpan value) => value switch
    {
        { TotalMilliseconds: < 1000 } => $"{value.TotalMilliseconds:0}ms",
        { Milliseconds: not 0 } => $"{value.TotalSeconds:0.###}s",
        { TotalSeconds: < 60 } or { Seconds: not 0 } => $"{value.TotalSeconds:0}s",
        { TotalMinutes: < 60 } or { Minutes: not 0 } => $"{value.TotalMinutes:0}m",
        { TotalHours: < 24 } or { Hours: not 0 } => $"{value.TotalHours:0}h",
        _ => $"{value.TotalDays:0}d",
    };
}
