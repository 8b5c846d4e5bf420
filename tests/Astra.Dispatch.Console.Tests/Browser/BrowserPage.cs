using Microsoft.Playwright;

namespace Astra.Dispatch.Console.Tests.Browser;

/// <summary>One test's page in its own browser context; disposing it saves a last screenshot and closes the context.</summary>
public sealed class BrowserPage : IAsyncDisposable
{
    private readonly IBrowserContext context;
    private bool disposed;

    internal BrowserPage(IBrowserContext context, IPage page, string testName)
    {
        this.context = context;
        Page = page;
        TestName = testName;
    }

    public IPage Page { get; }

    /// <summary><c>TestClassFile.TestMethod</c>: the screenshots' file-name prefix.</summary>
    public string TestName { get; }

    /// <summary>Saves a full-page screenshot as artifacts/screenshots/TestName[-label].png; returns its path.</summary>
    public Task<string> SaveScreenshotAsync(string? label = null) => Screenshots.SaveAsync(Page, label is null ? TestName : $"{TestName}-{label}");

    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        try
        {
            // Every test leaves a picture of where it ended, passed or failed.
            if (!Page.IsClosed)
            {
                await SaveScreenshotAsync();
            }
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            // Best effort: thrown from a dispose, it would hide the test's own failure (a crashed page, say).
            await System.Console.Error.WriteLineAsync($"{TestName}: no final screenshot: {ex.Message}");
        }
        finally
        {
            await context.CloseAsync();
        }
    }
}
