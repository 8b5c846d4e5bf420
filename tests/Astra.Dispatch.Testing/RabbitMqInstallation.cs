namespace Astra.Dispatch.Testing;

/// <summary>The rabbitmq-server and rabbitmqctl scripts of a local installation.</summary>
internal sealed record RabbitMqInstallation(string ServerScript, string CtlScript)
{
    public const string MissingMessage =
        "RabbitMQ is needed for integration tests: run ./scripts/test.sh (installs it) or `apt-get install -y rabbitmq-server`, or start a Docker engine.";

    public static RabbitMqInstallation Find()
    {
        foreach (var server in Candidates())
        {
            var ctl = Path.Combine(Path.GetDirectoryName(server)!, "rabbitmqctl");
            if (File.Exists(server) && File.Exists(ctl))
            {
                return new RabbitMqInstallation(server, ctl);
            }
        }

        throw new InvalidOperationException(
            $"{MissingMessage} (Looked for rabbitmq-server and rabbitmqctl in $ASTRA_RABBITMQ_SERVER, /usr/lib/rabbitmq/bin, PATH and the usual sbin folders.)");
    }

    private static IEnumerable<string> Candidates()
    {
        if (Environment.GetEnvironmentVariable("ASTRA_RABBITMQ_SERVER") is { Length: > 0 } explicitPath)
        {
            yield return explicitPath; // an explicit choice is the only candidate
            yield break;
        }

        // Debian/RPM: /usr/sbin/rabbitmq-server is a wrapper that switches to the rabbitmq user and its
        // cookie; the real scripts live here and run as the current user with our own HOME and cookie.
        yield return "/usr/lib/rabbitmq/bin/rabbitmq-server";

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            yield return Path.Combine(dir, "rabbitmq-server");
        }

        yield return "/usr/sbin/rabbitmq-server";
        yield return "/usr/local/sbin/rabbitmq-server";
        yield return "/opt/homebrew/sbin/rabbitmq-server";
        yield return "/usr/local/opt/rabbitmq/sbin/rabbitmq-server";
    }
}
