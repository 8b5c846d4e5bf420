namespace Astra.Dispatch.Storage;

/// <summary>How <c>Dispatch:Database</c> names its database: a <c>postgresql://</c> (or <c>postgres://</c>) URL, else a SQLite file.</summary>
public static class DatabaseUrl
{
    /// <summary>True when <paramref name="database"/> is a PostgreSQL URL.</summary>
    public static bool IsPostgres(string? database) =>
        database is not null
        && (database.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || database.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase));
}
