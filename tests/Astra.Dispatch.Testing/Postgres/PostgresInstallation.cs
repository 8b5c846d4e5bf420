using System.Globalization;

namespace Astra.Dispatch.Testing.Postgres;

/// <summary>The initdb, pg_ctl and postgres programs of a local PostgreSQL installation.</summary>
internal sealed record PostgresInstallation(string BinDirectory)
{
    public const string MissingMessage =
        "PostgreSQL is needed for these tests: run ./scripts/ensure-postgresql.sh (or ./scripts/test.sh, which runs it) or `apt-get install -y postgresql`, or start a Docker engine.";

    public string InitDb => Path.Combine(BinDirectory, "initdb");

    public string PgCtl => Path.Combine(BinDirectory, "pg_ctl");

    public static PostgresInstallation Find()
    {
        foreach (var dir in Candidates())
        {
            if (File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")) && File.Exists(Path.Combine(dir, "postgres")))
            {
                return new PostgresInstallation(dir);
            }
        }

        var where = Environment.GetEnvironmentVariable("ASTRA_POSTGRES_BIN") is { Length: > 0 } explicitDir
            ? $"ASTRA_POSTGRES_BIN={explicitDir}"
            : "/usr/lib/postgresql/*/bin, PATH and the usual folders";
        throw new InvalidOperationException($"{MissingMessage} (Looked for initdb, pg_ctl and postgres in {where}.)");
    }

    private static IEnumerable<string> Candidates()
    {
        if (Environment.GetEnvironmentVariable("ASTRA_POSTGRES_BIN") is { Length: > 0 } explicitDir)
        {
            yield return explicitDir; // an explicit choice is the only candidate
            yield break;
        }

        // Debian/Ubuntu keep the server programs out of PATH, one folder per major version: newest first.
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            var versions = Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(dir => double.TryParse(Path.GetFileName(dir), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0);
            foreach (var version in versions)
            {
                yield return Path.Combine(version, "bin");
            }
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            yield return dir;
        }

        yield return "/usr/local/pgsql/bin";
        yield return "/opt/homebrew/bin";
    }
}
