using System.Runtime.CompilerServices;
using Microsoft.Playwright;

namespace Astra.Dispatch.Console.Tests.Browser;

/// <summary>
/// A headless system Chromium driven by Playwright. Tests share one browser (<see cref="SharedChromium"/>)
/// and each opens its own page in a fresh context (<see cref="NewPageAsync"/>): cookies and storage never leak between tests.
/// </summary>
public sealed class ChromiumBrowser : IAsyncDisposable
{
    /// <summary>
    /// What this machine needs (see the machine notes): no GPU, no QUIC, and nothing that phones home, since
    /// the closed network refuses those connections. Playwright adds --headless and a fresh temporary
    /// --user-data-dir per launch itself (it rejects one in Args), and --no-sandbox unless ChromiumSandbox.
    /// </summary>
    public static readonly IReadOnlyList<string> Flags =
    [
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];

    private readonly IPlaywright playwright;
    private readonly IBrowser browser;

    private ChromiumBrowser(IPlaywright playwright, IBrowser browser, string executablePath)
    {
        this.playwright = playwright;
        this.browser = browser;
        ExecutablePath = executablePath;
    }

    public string ExecutablePath { get; }

    /// <summary>The browser's own version, e.g. <c>156.0.8078.114</c>.</summary>
    public string Version => browser.Version;

    /// <summary>Launches a new browser (caller disposes it); most tests use <see cref="SharedChromium.GetAsync"/>.</summary>
    public static async Task<ChromiumBrowser> LaunchAsync()
    {
        var executablePath = ChromiumInstallation.ExecutablePath();
        // Playwright's browser download is never called: only its driver (shipped in the NuGet package) runs.
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = executablePath,
                Headless = true,
                // Chromium's sandbox cannot start as root; as any other user it stays on.
                ChromiumSandbox = !Environment.IsPrivilegedProcess,
                Args = Flags,
                // Two shared cores: a loaded machine takes far longer than the 30 s default.
                Timeout = 90_000,
            });
            return new ChromiumBrowser(playwright, browser, executablePath);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A page in a fresh context (en-US, UTC). Disposing it saves a screenshot named after the calling
    /// test (class file and method) under artifacts/screenshots/ and closes the context.
    /// </summary>
    public async Task<BrowserPage> NewPageAsync([CallerFilePath] string testFile = "", [CallerMemberName] string testName = "")
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-US", TimezoneId = "UTC" });
        try
        {
            var page = await context.NewPageAsync();
            return new BrowserPage(context, page, $"{Path.GetFileNameWithoutExtension(testFile)}.{testName}");
        }
        catch
        {
            await context.CloseAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await browser.CloseAsync();
        playwright.Dispose(); // ends the driver process
    }
}
