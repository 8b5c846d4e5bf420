using System.Globalization;
using Astra.Dispatch.Contracts;

namespace Astra.Dispatch.Console.Web;

/// <summary>Formatting shared by the pages: times in UTC with their age, durations, statuses as words and marks (never colour alone).</summary>
internal static class Display
{
    /// <summary><c>2026-12-06 06:40:03Z</c> from a stored round-trip timestamp.</summary>
    public static string Time(string? iso) => Parse(iso) is { } at ? at.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : iso ?? "";

    public static string Time(DateTimeOffset? at) => at is { } t ? t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "";

    /// <summary><c>39 s ago</c>, <c>5 min ago</c>, <c>3 h ago</c>, <c>2 d ago</c>.</summary>
    public static string Ago(string? iso, DateTimeOffset now) => Parse(iso) is { } at ? Ago(at, now) : "";

    public static string Ago(DateTimeOffset at, DateTimeOffset now)
    {
        var age = now - at;
        return age.TotalSeconds < 60 ? $"{Math.Max(0, (int)age.TotalSeconds)} s ago"
            : age.TotalMinutes < 60 ? $"{(int)age.TotalMinutes} min ago"
            : age.TotalHours < 48 ? $"{(int)age.TotalHours} h ago"
            : $"{(int)age.TotalDays} d ago";
    }

    public static string Duration(double ms) => ms < 1000 ? $"{ms.ToString("0.#", CultureInfo.InvariantCulture)} ms" : $"{(ms / 1000).ToString("0.##", CultureInfo.InvariantCulture)} s";

    /// <summary>The mark shown before a status word, so a status reads without colour: ✓ succeeded, ✗ failed, ↻ retrying, … pending.</summary>
    public static string Mark(string? status) => status switch
    {
        DeliveryStatus.Succeeded or "enabled" or "succeeded-attempt" => "✓",
        DeliveryStatus.Failed or "paused" => "✗",
        DeliveryStatus.Retrying => "↻",
        "disabled" => "–",
        _ => "…",
    };

    /// <summary>The CSS class of a status badge (colour only adds to the mark and the word).</summary>
    public static string Tone(string? status) => status switch
    {
        DeliveryStatus.Succeeded or "enabled" => "ok",
        DeliveryStatus.Failed or "paused" => "bad",
        DeliveryStatus.Retrying => "warn",
        _ => "neutral",
    };

    /// <summary>An attempt's outcome as a status: succeeded, transient (retried) or a failure.</summary>
    public static string AttemptTone(string outcome) => outcome switch
    {
        "succeeded" => DeliveryStatus.Succeeded,
        "transient" or "circuit-open" => DeliveryStatus.Retrying,
        _ => DeliveryStatus.Failed,
    };

    public static DateTimeOffset? Parse(string? iso) =>
        DateTimeOffset.TryParse(iso, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind | DateTimeStyles.AssumeUniversal, out var at) ? at : null;
}
