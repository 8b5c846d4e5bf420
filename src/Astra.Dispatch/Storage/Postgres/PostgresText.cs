namespace Astra.Dispatch.Storage.Postgres;

/// <summary>SQL fragments shared by the PostgreSQL stores.</summary>
internal static class PostgresText
{
    /// <summary>
    /// A timestamptz column as the text the records carry (and SQLite stores): round-trip UTC, e.g.
    /// <c>2026-11-29T10:15:00.1234560+00:00</c>; PostgreSQL keeps microseconds, so the seventh digit is always 0.
    /// </summary>
    public static string Timestamp(string column) =>
        $"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"0+00:00"')""";

    /// <summary>A timestamp as Npgsql sends it to timestamptz: a UTC <see cref="DateTime"/>.</summary>
    public static DateTime Utc(DateTimeOffset at) => at.UtcDateTime;

    /// <summary>A record's round-trip text timestamp (<see cref="DeliveryBatch.Timestamp"/>) as Npgsql sends it to timestamptz.</summary>
    public static DateTime? Utc(string? text) =>
        text is null ? null : DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind).UtcDateTime;
}
