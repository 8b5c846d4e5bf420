namespace Astra.Dispatch.Console.Tests.Browser;

/// <summary>
/// The system Chromium the browser tests drive: <c>BROWSER_PATH</c>, else Debian's <c>/usr/bin/chromium</c>.
/// Never Playwright's own download: this machine reaches no browser host, only package registries.
/// </summary>
internal static class ChromiumInstallation
{
    public const string DefaultPath = "/usr/bin/chromium";

    public static string ExecutablePath()
    {
        var path = Environment.GetEnvironmentVariable("BROWSER_PATH") is { Length: > 0 } explicitPath ? explicitPath : DefaultPath;
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"Chromium is needed for the browser tests and was not found at {path}{(path == DefaultPath ? " (set BROWSER_PATH to use another)" : " (BROWSER_PATH)")}: "
                + "run ./scripts/ensure-chromium.sh (or ./scripts/test.sh, which runs it), or `apt-get install -y chromium chromium-driver`.");
        }

        return path;
    }
}
