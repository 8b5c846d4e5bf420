using System.Net;
using Astra.Dispatch.Console.Tests.Api.Support;
using Astra.Dispatch.Console.Tests.Browser;
using Astra.Dispatch.Console.Tests.Web.Support;
using Astra.Dispatch.Management;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Astra.Dispatch.Console.Tests.Web;

/// <summary>
/// Sign-in, sessions and what a key sees: every page but sign-in needs a session, a session is a cookie that holds no
/// key and ends with its key, forms need their antiforgery token, wrong keys count against the failed-auth limiter, and
/// a tenant key sees its tenant only.
/// </summary>
public sealed class ConsoleAuthTests : IAsyncLifetime
{
    private const string Rule = """
        name: Leads to the CRM
        trigger: { events: [lead.captured] }
        request:
          method: POST
          url: "https://crm.example.com/leads"
          body: '{ "email": {{ data.email | json }} }'
        """;

    private ConsoleApp _app = null!;

    public async Task InitializeAsync()
    {
        _app = await ConsoleApp.StartAsync(ConsoleApp.Sqlite);
        await _app.PutRuleAsync("acme", "crm-secret-plan", Rule);
        await _app.PutRuleAsync("globex", "globex-only", Rule);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>Every page of the console, as an anonymous visitor would try it.</summary>
    public static TheoryData<string, string> Pages() => new()
    {
        { "GET", "/" },
        { "GET", "/t/acme/rules" },
        { "GET", "/t/acme/rules/crm-secret-plan" },
        { "GET", "/t/acme/rules/crm-secret-plan/edit" },
        { "GET", "/t/acme/deliveries" },
        { "GET", "/t/acme/deliveries/msg_unknown" },
        { "GET", "/dead-letters" },
        { "GET", "/status" },
        { "GET", "/signout" },
        { "POST", "/t/acme/rules/crm-secret-plan?handler=Disable" },
        { "POST", "/t/acme/rules/crm-secret-plan?handler=Test" },
        { "POST", "/t/acme/rules/crm-secret-plan/edit" },
        { "POST", "/dead-letters" },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task AnonymousRequest_EveryPage_RedirectsToSignInRevealingNothing(string method, string path)
    {
        using var web = new WebSession(_app.Client.BaseAddress!);
        await web.GetAsync("/signin"); // a valid antiforgery token, so only the missing session can stop the POSTs

        var (status, body, location) = method == "GET" ? await web.GetAsync(path) : await web.PostAsync(path, [new("stamp", "x")]);

        Assert.Equal(HttpStatusCode.Found, status);
        Assert.StartsWith("http://127.0.0.1:", location);
        Assert.Contains("/signin?returnUrl=", location, StringComparison.Ordinal);
        Assert.Equal("", body);
        Assert.True(await _app.Services.GetRequiredService<RuleService>().GetAsync("acme", "crm-secret-plan", default) is { Row.Enabled: true });
    }

    [Fact]
    public async Task SignIn_Key_SessionCookieSecureHttpOnlyStrictWithoutTheKey()
    {
        var key = await _app.KeyAsync("viewer", "acme");
        using var web = new WebSession(_app.Client.BaseAddress!);

        Assert.True(await web.SignInAsync(key));
        var (status, body, _) = await web.GetAsync("/t/acme/rules");

        var cookie = Assert.Single(web.SetCookies, c => c.StartsWith("__Host-astra-console=", StringComparison.Ordinal));
        Assert.Contains("; secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("; httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("; samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("; path=/", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("expires", cookie, StringComparison.OrdinalIgnoreCase); // ends with the browser session
        // The antiforgery cookie is half a token: HttpOnly and Strict always, Secure over HTTPS (HttpsSessionTests).
        var antiforgery = Assert.Single(web.SetCookies, c => c.StartsWith("astra-antiforgery=", StringComparison.Ordinal));
        Assert.Contains("; httponly", antiforgery, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("; samesite=strict", antiforgery, StringComparison.OrdinalIgnoreCase);
        var secret = key.Split('_')[^1];
        Assert.DoesNotContain(secret, string.Concat(web.SetCookies), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("crm-secret-plan", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Session_KeyRevoked_EndsAtNextRequest()
    {
        var key = await _app.KeyAsync("operator", "acme", "soon-revoked");
        using var web = new WebSession(_app.Client.BaseAddress!);
        Assert.True(await web.SignInAsync(key));
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync("/t/acme/rules")).Status);

        var keys = _app.Services.GetRequiredService<KeyService>();
        var id = (await keys.ListAsync("acme", default)).Single(k => k.Name == "soon-revoked").Id;
        Assert.True(await keys.RevokeAsync(id, null, Actor.Cli(), default));
        var (status, body, location) = await web.GetAsync("/t/acme/rules");

        Assert.Equal(HttpStatusCode.Found, status);
        Assert.Contains("/signin", location, StringComparison.Ordinal);
        Assert.DoesNotContain("crm-secret-plan", body, StringComparison.Ordinal);
        Assert.DoesNotContain("__Host-astra-console", web.Cookies.Keys); // the stale cookie was cleared
    }

    [Fact]
    public async Task FormPost_WithoutAntiforgeryToken_RefusedAndNothingChanged()
    {
        var key = await _app.KeyAsync("operator", "acme");
        using var web = new WebSession(_app.Client.BaseAddress!);
        Assert.True(await web.SignInAsync(key));
        var stamp = (await _app.Services.GetRequiredService<RuleService>().GetAsync("acme", "crm-secret-plan", default))!.Stamp;

        var (status, body, _) = await web.PostAsync("/t/acme/rules/crm-secret-plan?handler=Disable", [new("stamp", stamp)], withToken: false);
        var signOut = await web.PostAsync("/signout", [], withToken: false);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("The form could not be used", body, StringComparison.Ordinal);
        Assert.True((await _app.Services.GetRequiredService<RuleService>().GetAsync("acme", "crm-secret-plan", default))!.Row.Enabled);
        Assert.Equal(HttpStatusCode.BadRequest, signOut.Status);
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync("/t/acme/rules")).Status); // still signed in
    }

    [Fact]
    public async Task Viewer_EditorAndDeadLetters_Forbidden()
    {
        var key = await _app.KeyAsync("viewer", "acme");
        using var web = new WebSession(_app.Client.BaseAddress!);
        Assert.True(await web.SignInAsync(key));

        var editor = await web.GetAsync("/t/acme/rules/crm-secret-plan/edit");
        var letters = await web.GetAsync("/dead-letters");
        await web.GetAsync("/t/acme/rules/crm-secret-plan");
        var disable = await web.PostAsync("/t/acme/rules/crm-secret-plan?handler=Disable", [new("stamp", "x")]);

        Assert.Equal(HttpStatusCode.Forbidden, editor.Status);
        Assert.Contains("Not allowed", editor.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, letters.Status);
        Assert.Equal(HttpStatusCode.Forbidden, disable.Status);
    }

    [Fact]
    public async Task SignIn_WrongKeys_CountAgainstTheFailedAuthLimiterWithTheApi()
    {
        await using var app = await ConsoleApp.StartAsync(ConsoleApp.Sqlite, settings: new Dictionary<string, string?> { ["Dispatch:Console:FailedAuthLimit"] = "3" });
        var right = await app.KeyAsync("admin");
        using var web = new WebSession(app.Client.BaseAddress!);
        await web.GetAsync("/signin");

        var first = await web.PostAsync("/signin", [new("key", "astra_wrong")]);
        await app.Client.GetAsync("/api/v1/status", "astra_also_wrong"); // the API's failures and the console's share one budget
        await web.PostAsync("/signin", [new("key", right + "x")]);
        var locked = await web.PostAsync("/signin", [new("key", right)]);

        Assert.Equal(HttpStatusCode.Unauthorized, first.Status);
        Assert.Contains("That key is not valid", first.Body, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode)429, locked.Status);
        Assert.Contains("Too many failed sign-ins", locked.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("__Host-astra-console", web.Cookies.Keys);
    }

    [Fact]
    public async Task Api_ConsoleSessionCookie_NotAcceptedWithoutKey()
    {
        var key = await _app.KeyAsync("admin");
        using var web = new WebSession(_app.Client.BaseAddress!);
        Assert.True(await web.SignInAsync(key));

        var (status, _, _) = await web.GetAsync("/api/v1/tenants/acme/rules");

        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Fact]
    public async Task WrongKey_InBrowser_SeesNothing()
    {
        await using var session = await (await SharedChromium.GetAsync()).NewPageAsync();
        var page = session.Page;

        await page.GotoAsync(ConsoleBrowser.Url(_app, "/t/acme/rules"));
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin\\?returnUrl=%2Ft%2Facme%2Frules$"));
        await page.GetByLabel("API key").FillAsync("astra_0123456789abcdef_notarealkeynotarealkeynotarealkeynotarealkeynotareal");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("That key is not valid");
        await Expect(page.GetByLabel("API key")).ToHaveAttributeAsync("aria-invalid", "true");
        await session.SaveScreenshotAsync("signin-refused");
        await page.GotoAsync(ConsoleBrowser.Url(_app, "/status"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        Assert.DoesNotContain("crm-secret-plan", await page.ContentAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keyboard_SignInSkipLinkAndNavigation_WithoutAMouse()
    {
        var key = await _app.KeyAsync("operator", "acme");
        await using var session = await (await SharedChromium.GetAsync()).NewPageAsync();
        var page = session.Page;
        async Task<string> Focused() => await page.EvaluateAsync<string>("() => (document.activeElement.id || '') + '|' + document.activeElement.textContent.trim()");

        await page.GotoAsync(ConsoleBrowser.Url(_app, "/signin"));
        Assert.StartsWith("key|", await Focused()); // the key field has the focus
        await page.Keyboard.InsertTextAsync(key);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/t/acme/rules$"));

        // The first Tab reaches the skip link, which shows itself and moves the focus to the content.
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("|Skip to content", await Focused());
        Assert.True((await page.Locator(".skip").BoundingBoxAsync())!.X >= 0);
        await page.Keyboard.PressAsync("Enter");
        Assert.StartsWith("main|", await Focused());

        // The navigation is reachable by Tab, its focus visible, and Enter follows the link.
        await page.Keyboard.PressAsync("Shift+Tab");
        for (var i = 0; i < 10 && await Focused() != "|Deliveries"; i++)
            await page.Keyboard.PressAsync("Tab");
        Assert.Equal("|Deliveries", await Focused());
        Assert.Equal("solid", await page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle"));
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Deliveries");
        await page.AssertControlsNamedAsync();
    }

    [Fact]
    public async Task TenantKey_InBrowser_SeesOnlyItsTenant()
    {
        var key = await _app.KeyAsync("operator", "acme", "acme-ops");
        await using var session = await (await SharedChromium.GetAsync()).NewPageAsync();
        var page = session.Page;

        await page.SignInAsync(_app, key);
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/t/acme/rules$"));
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "crm-secret-plan" })).ToBeVisibleAsync();
        Assert.DoesNotContain("globex", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        await session.SaveScreenshotAsync("rules");

        foreach (var path in new[] { "/t/globex/rules", "/t/globex/rules/globex-only", "/t/globex/deliveries", "/t/globex/rules/globex-only/edit" })
        {
            var response = await page.GotoAsync(ConsoleBrowser.Url(_app, path));
            Assert.Equal(404, response!.Status);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not found" })).ToBeVisibleAsync();
            Assert.DoesNotContain("globex-only", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        }
        await session.SaveScreenshotAsync("other-tenant-404");
    }
}
