using System.Globalization;
using Npgsql;

namespace Astra.Dispatch.Storage.Postgres;

/// <summary>
/// <c>postgresql://user:password@host:port/database?sslmode=require&amp;…</c>, the form managed PostgreSQL services hand
/// out, as an Npgsql connection string. Query parameters take libpq's names (<c>sslmode</c>, <c>sslrootcert</c>,
/// <c>connect_timeout</c>, <c>application_name</c>, …) or any Npgsql keyword (<c>Maximum Pool Size</c>). Error messages
/// never repeat the password.
/// </summary>
internal static class PostgresConnectionUrl
{
    /// <summary>libpq parameter names and the Npgsql keyword each one sets.</summary>
    private static readonly Dictionary<string, string> Libpq = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sslmode"] = "SSL Mode",
        ["sslrootcert"] = "Root Certificate",
        ["sslcert"] = "SSL Certificate",
        ["sslkey"] = "SSL Key",
        ["sslpassword"] = "SSL Password",
        ["channel_binding"] = "Channel Binding",
        ["connect_timeout"] = "Timeout",
        ["application_name"] = "Application Name",
        ["target_session_attrs"] = "Target Session Attributes",
        ["options"] = "Options",
    };

    /// <summary>libpq's hyphenated sslmode values, as Npgsql spells them.</summary>
    private static readonly Dictionary<string, string> SslModes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["verify-ca"] = "VerifyCA",
        ["verify-full"] = "VerifyFull",
    };

    /// <summary>The connection settings, with the worker's defaults where the URL says nothing.</summary>
    /// <exception cref="FormatException">Not a usable URL; the message names what is wrong, without the password.</exception>
    public static NpgsqlConnectionStringBuilder Parse(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("postgresql" or "postgres"))
            throw new FormatException("Dispatch:Database must be a SQLite file path or postgresql://user:password@host:port/database.");
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (uri.Host.Length == 0 || database.Length == 0 || database.Contains('/', StringComparison.Ordinal) || uri.Fragment.Length > 0)
            throw new FormatException("Dispatch:Database: a PostgreSQL URL needs a host and one database name: postgresql://user:password@host:port/database.");
        var userInfo = uri.UserInfo.Split(':', 2);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host.Trim('[', ']') : uri.Host,
            Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port,
            Database = database,
            ApplicationName = "astra-dispatch",
            // The hot-path statements (status lookups, claims, batched writes) are few and repeated: prepared once per connection.
            MaxAutoPrepare = 32,
            AutoPrepareMinUsages = 2,
            // Dead peers (a failed-over server, a dropped NAT entry) show up within a minute instead of hanging a listener.
            KeepAlive = 30,
            // Writes are batched and claims too: a worker needs few connections, and twenty replicas stay well under a
            // server's max_connections (plus one listening connection each).
            MaxPoolSize = 20,
        };
        if (userInfo[0].Length > 0)
            builder.Username = Uri.UnescapeDataString(userInfo[0]);
        if (userInfo.Length == 2)
            builder.Password = Uri.UnescapeDataString(userInfo[1]);
        foreach (var (name, value) in Query(uri.Query))
            Set(builder, name, value);
        return builder;
    }

    /// <summary><c>PostgreSQL user@host:port/database</c>: what logs, health checks and the CLI may show.</summary>
    public static string Describe(NpgsqlConnectionStringBuilder builder) =>
        $"PostgreSQL {(builder.Username is { Length: > 0 } user ? user + "@" : "")}{builder.Host}:{builder.Port.ToString(CultureInfo.InvariantCulture)}/{builder.Database}";

    private static void Set(NpgsqlConnectionStringBuilder builder, string name, string value)
    {
        var keyword = Libpq.GetValueOrDefault(name, name);
        if (keyword == "SSL Mode")
            value = SslModes.GetValueOrDefault(value, value);
        try
        {
            builder[keyword] = value;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException)
        {
            // The value is not echoed: sslpassword and friends are secrets too.
            throw new FormatException($"Dispatch:Database: the URL parameter '{name}' is not a libpq parameter this worker knows or an Npgsql setting, or its value is invalid.");
        }
    }

    private static IEnumerable<(string Name, string Value)> Query(string query)
    {
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            yield return (Uri.UnescapeDataString(parts[0].Replace('+', ' ')), parts.Length == 2 ? Uri.UnescapeDataString(parts[1].Replace('+', ' ')) : "");
        }
    }
}
