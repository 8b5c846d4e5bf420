using Microsoft.Playwright;

namespace Astra.Dispatch.Console.Tests.Web.Support;

/// <summary>Checks every console page gets: no secret value in its HTML, a name for every form control, no sideways scrolling.</summary>
public static class PageAudit
{
    /// <summary>The HTML as the browser holds it (after the small scripts ran), asserted free of <paramref name="secret"/>.</summary>
    public static async Task AssertNoSecretAsync(this IPage page, string secret)
    {
        var html = await page.ContentAsync();
        // Only whether: the message must not repeat the value it found.
        Assert.False(html.Contains(secret, StringComparison.Ordinal), $"{page.Url} shows the seeded secret value");
    }

    /// <summary>Every visible input, select, textarea and button has an accessible name (a label, aria-label(ledby), or text).</summary>
    public static async Task AssertControlsNamedAsync(this IPage page)
    {
        var unnamed = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll("input:not([type=hidden]), select, textarea, button")]
              .filter(c => c.offsetParent !== null || c.getClientRects().length > 0)
              .filter(c => !((c.labels && [...c.labels].some(l => l.textContent.trim()))
                || c.getAttribute("aria-label")?.trim()
                || (c.getAttribute("aria-labelledby") && document.getElementById(c.getAttribute("aria-labelledby"))?.textContent.trim())
                || (c.tagName === "BUTTON" && c.textContent.trim())))
              .map(c => c.outerHTML.slice(0, 120))
            """);
        Assert.True(unnamed.Length == 0, $"{page.Url}: controls without a name: {string.Join(" | ", unnamed)}");
    }

    /// <summary>The page fits the viewport's width: nothing but its own scroll containers (tables, code) scrolls sideways.</summary>
    public static async Task AssertNoSidewaysScrollAsync(this IPage page)
    {
        var sizes = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        var (scroll, width) = (sizes[0], sizes[1]);
        Assert.True(scroll <= width, $"{page.Url} is {scroll} px wide in a {width} px viewport");
    }
}
