using System.Globalization;

namespace Astra.Dispatch.Rules;

/// <summary>A per-rule rate such as <c>20/s</c> or <c>100/min</c>.</summary>
public sealed record RateLimitSpec(int Permits, TimeSpan Window)
{
    /// <summary>Parses <c>20/s</c>, <c>100/min</c>, <c>1000/h</c>.</summary>
    public static bool TryParse(string? text, out RateLimitSpec? spec)
    {
        spec = null;
        var parts = text?.Split('/', 2, StringSplitOptions.TrimEntries);
        if (parts is not [var count, var unit] || !int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var permits) || permits <= 0)
            return false;
        TimeSpan? window = unit switch
        {
            "s" or "sec" or "second" => TimeSpan.FromSeconds(1),
            "m" or "min" or "minute" => TimeSpan.FromMinutes(1),
            "h" or "hour" => TimeSpan.FromHours(1),
            _ => null,
        };
        if (window is null)
            return false;
        spec = new RateLimitSpec(permits, window.Value);
        return true;
    }
}
