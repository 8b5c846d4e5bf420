using System.Globalization;
using Npgsql;

namespace Astra.Dispatch.Testing.Postgres;

/// <summary>
/// The URL form of a database address, <c>postgresql://user:password@host:port/dbname</c>, which the
/// product's <c>Dispatch:Database</c> setting takes, and its Npgsql connection string.
/// </summary>
public static class PostgresUrl
{
    public static string Format(string host, int port, string username, string password, string database)
    {
        // Bracketed like any URL host when it is an IPv6 address.
        var hostPart = host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
        return $"postgresql://{Uri.EscapeDataString(username)}:{Uri.EscapeDataString(password)}@{hostPart}:{port.ToString(CultureInfo.InvariantCulture)}/{Uri.EscapeDataString(database)}";
    }

    /// <summary>
    /// Parses exactly the form <see cref="Format"/> writes (scheme <c>postgresql</c> or <c>postgres</c>, user,
    /// password, host, optional port, one database name, nothing else) into an Npgsql connection string.
    /// </summary>
    /// <exception cref="FormatException">Anything else.</exception>
    public static string ToConnectionString(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("postgresql" or "postgres"))
        {
            throw new FormatException("Expected postgresql://user:password@host:port/dbname.");
        }

        var userInfo = uri.UserInfo.Split(':', 2);
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (userInfo.Length != 2 || userInfo[0].Length == 0 || database.Length == 0 || database.Contains('/', StringComparison.Ordinal)
            || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw new FormatException("Expected postgresql://user:password@host:port/dbname (user, password and database required; no query).");
        }

        return new NpgsqlConnectionStringBuilder
        {
            Host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host.Trim('[', ']') : uri.Host,
            Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port,
            Username = Uri.UnescapeDataString(userInfo[0]),
            Password = Uri.UnescapeDataString(userInfo[1]),
            Database = database,
        }.ConnectionString;
    }
}
