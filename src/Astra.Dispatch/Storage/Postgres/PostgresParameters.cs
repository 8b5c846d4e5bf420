using Npgsql;
using NpgsqlTypes;

namespace Astra.Dispatch.Storage.Postgres;

/// <summary>Typed positional parameters for the set-based statements (arrays sent whole, read with <c>unnest</c>).</summary>
internal static class PostgresParameters
{
    public static NpgsqlParameter Text(IEnumerable<string?> values) =>
        new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = values.Select(Clean).ToArray() };

    public static NpgsqlParameter Integer(IEnumerable<int?> values) =>
        new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer, Value = values.ToArray() };

    public static NpgsqlParameter Double(IEnumerable<double> values) =>
        new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Double, Value = values.ToArray() };

    public static NpgsqlParameter Boolean(IEnumerable<bool> values) =>
        new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Boolean, Value = values.ToArray() };

    public static NpgsqlParameter Timestamp(IEnumerable<DateTimeOffset?> values) =>
        new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, Value = values.Select(v => v?.UtcDateTime).ToArray() };

    public static NpgsqlParameter Interval(IEnumerable<TimeSpan> values) =>
        new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Interval, Value = values.ToArray() };

    public static NpgsqlParameter Scalar<T>(T value) => new NpgsqlParameter<T> { TypedValue = value };

    public static NpgsqlParameter Timestamp(DateTimeOffset value) => new() { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = value.UtcDateTime };

    /// <summary>PostgreSQL text cannot hold NUL, which an error message or a response excerpt might: it would fail the batch.</summary>
    public static string? Clean(string? text) =>
        text is null || !text.Contains('\0', StringComparison.Ordinal) ? text : text.Replace('\0', '\uFFFD');

    public static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }
}
