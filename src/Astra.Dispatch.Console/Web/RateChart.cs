using System.Globalization;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Storage;

namespace Astra.Dispatch.Console.Web;

/// <summary>
/// Deliveries per minute by outcome over the last hour, as stacked bars for a server-rendered SVG (no chart library,
/// no script). Every bar has a text title and the page has the same numbers as a table, so nothing is told by colour alone.
/// </summary>
internal sealed class RateChart
{
    public const int Minutes = 60;
    public const double Width = 720, Height = 230, Left = 44, Right = 8, Top = 12, Bottom = 34;

    /// <summary>Stacked bottom to top in this order.</summary>
    public static readonly string[] Order = [DeliveryStatus.Succeeded, DeliveryStatus.Retrying, DeliveryStatus.Pending, DeliveryStatus.Failed];

    public RateChart(IReadOnlyList<MinuteCount> counts, DateTimeOffset now)
    {
        var end = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);
        var byMinute = counts.ToLookup(c => c.Minute, StringComparer.Ordinal);
        Buckets = [.. Enumerable.Range(0, Minutes).Select(i =>
        {
            var minute = end.AddMinutes(i - Minutes + 1);
            var key = minute.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);
            var values = Order.ToDictionary(s => s, s => byMinute[key].Where(c => c.Status == s).Sum(c => c.Count));
            return new Bucket(minute, values);
        })];
        var max = Buckets.Max(b => b.Total);
        Scale = max <= 5 ? 5 : NiceCeiling(max);
        Totals = Order.ToDictionary(s => s, s => Buckets.Sum(b => b.Counts[s]));
    }

    public IReadOnlyList<Bucket> Buckets { get; }

    /// <summary>The value at the top of the y axis.</summary>
    public long Scale { get; }

    public IReadOnlyDictionary<string, long> Totals { get; }

    public double BarWidth => (Width - Left - Right) / Minutes;

    public double PlotHeight => Height - Top - Bottom;

    /// <summary>The rectangles of one minute's bar, bottom to top: status, x, y, width, height.</summary>
    public IEnumerable<(string Status, string X, string Y, string W, string H)> Bars(int index)
    {
        var bucket = Buckets[index];
        var x = Left + index * BarWidth + 1;
        var baseline = Height - Bottom;
        foreach (var status in Order)
        {
            var count = bucket.Counts[status];
            if (count == 0)
                continue;
            var h = count * PlotHeight / Scale;
            baseline -= h;
            yield return (status, F(x), F(baseline), F(BarWidth - 2), F(h));
        }
    }

    public string Summary => Totals.Values.Sum() == 0
        ? "No deliveries changed in the last hour."
        : string.Join(", ", Order.Where(s => Totals[s] > 0).Select(s => $"{Totals[s]} {s}")) + " in the last hour; the busiest minute had " + Buckets.Max(b => b.Total) + ".";

    public static string F(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static long NiceCeiling(long value)
    {
        var magnitude = (long)Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var step in new[] { 1, 2, 5, 10 })
        {
            if (step * magnitude >= value)
                return step * magnitude;
        }
        return 10 * magnitude;
    }

    public sealed record Bucket(DateTimeOffset Minute, IReadOnlyDictionary<string, long> Counts)
    {
        public long Total => Counts.Values.Sum();

        public string Title => $"{Minute:HH:mm} UTC: " + (Total == 0 ? "none" : string.Join(", ", Order.Where(s => Counts[s] > 0).Select(s => $"{Counts[s]} {s}")));
    }
}
