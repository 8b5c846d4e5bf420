using Astra.Dispatch.Rules;

namespace Astra.Dispatch.Cli.Infrastructure;

internal static class TimeWindow
{
    /// <summary>Parses <c>--since 2h</c> (a duration back from now) or an ISO timestamp.</summary>
    public static DateTimeOffset? Since(string? text, TimeProvider time)
    {
        if (text is null)
            return null;
        if (Durations.TryParse(text, out var ago))
            return time.GetUtcNow() - ago;
        if (DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at))
            return at;
        throw CliException.Usage($"--since '{text}' is not a duration such as 30m, 2h, 1d or an ISO time.");
    }

    public static string Ago(string? timestamp, TimeProvider time) =>
        DateTimeOffset.TryParse(timestamp, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var at)
            ? $"{at.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z ({Durations.Format(TimeSpan.FromSeconds(Math.Max(0, Math.Round((time.GetUtcNow() - at).TotalSeconds))))} ago)"
            : timestamp ?? "";
}
