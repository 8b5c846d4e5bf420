using Astra.Dispatch.Console.Tests.Browser;
using Astra.Dispatch.Console.Tests.Web.Support;
using Xunit.Sdk;

namespace Astra.Dispatch.Console.Tests.Web;

/// <summary>The page checks themselves, on pages made to fail them: a check that cannot fail proves nothing.</summary>
public sealed class PageAuditTests
{
    [Fact]
    public async Task Checks_PagesThatBreakThem_Fail()
    {
        await using var session = await (await SharedChromium.GetAsync()).NewPageAsync();
        var page = session.Page;
        await page.SetViewportSizeAsync(390, 844);

        await page.SetContentAsync("""
            <label for="ok">Named</label><input id="ok"><button>Go</button>
            <input type="hidden" name="csrf"><p>nothing secret</p>
            """);
        await page.AssertControlsNamedAsync();
        await page.AssertNoSecretAsync("s3cr3t");
        await page.AssertNoSidewaysScrollAsync();

        await page.SetContentAsync("""<input id="q" placeholder="Search"><p>token s3cr3t</p><div style="width: 600px">wide</div>""");
        await Assert.ThrowsAsync<TrueException>(page.AssertControlsNamedAsync);
        await Assert.ThrowsAsync<FalseException>(() => page.AssertNoSecretAsync("s3cr3t"));
        await Assert.ThrowsAsync<TrueException>(page.AssertNoSidewaysScrollAsync);
    }
}
