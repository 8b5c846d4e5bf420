using Astra.Dispatch.Console.Tests.Browser;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Astra.Dispatch.Console.Tests.Smoke;

/// <summary>The browser infrastructure end to end: system Chromium, Playwright, a Kestrel app on loopback, screenshots.</summary>
public sealed class BrowserSmokeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SubmitForm_NameTyped_PageShowsGreeting()
    {
        await using var app = await LoopbackWebApp.StartAsync(SmokeFormApp.Map);
        var browser = await SharedChromium.GetAsync();
        await using var session = await browser.NewPageAsync();
        var page = session.Page;

        await page.GotoAsync(app.UrlFor("/"));
        await page.GetByLabel(SmokeFormApp.Label).FillAsync("Ada Lovelace");
        await session.SaveScreenshotAsync("filled");
        await page.GetByRole(AriaRole.Button, new() { Name = SmokeFormApp.Button }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Hello, Ada Lovelace!");
        output.WriteLine($"screenshots in {Screenshots.Directory}");
    }

    [Fact]
    public async Task SharedChromium_Launched_ReportsSystemBrowserVersion()
    {
        var browser = await SharedChromium.GetAsync();

        // Playwright drives the distribution's Chromium, not the build its browsers.json pins: say which one ran.
        output.WriteLine($"Chromium {browser.Version} at {browser.ExecutablePath} (Playwright {typeof(IPlaywright).Assembly.GetName().Version})");
        Assert.Matches(@"^\d+\.\d+\.\d+\.\d+$", browser.Version);
    }
}
