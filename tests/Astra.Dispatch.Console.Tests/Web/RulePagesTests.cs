using System.Text.RegularExpressions;
using Astra.Dispatch.Console.Tests.Api.Support;
using Astra.Dispatch.Console.Tests.Browser;
using Astra.Dispatch.Console.Tests.Web.Support;
using Astra.Dispatch.Management;
using Astra.Dispatch.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Astra.Dispatch.Console.Tests.Web;

/// <summary>The rules pages in a real Chromium: the list with states, a rule's page, the editor's errors and conflicts, revisions, the dry run.</summary>
public sealed class RulePagesTests : IAsyncLifetime
{
    private const string Tenant = "acme";

    private const string CrmRule = """
        name: Leads to the CRM
        trigger:
          events: [lead.captured, form.submitted]
          when: "data.score >= 50 and data.email != blank"
        request:
          method: POST
          url: "https://crm.example.com/api/v2/leads"
          headers: { X-Source: astra }
          body: |
            { "email": {{ data.email | json }},
              "score": {{ data.score }} }
        auth: { type: bearer, secret: CRM_TOKEN }
        """;

    private ConsoleApp _app = null!;
    private string _operator = null!;

    public async Task InitializeAsync()
    {
        _app = await ConsoleApp.StartAsync(ConsoleApp.Sqlite);
        // Named secrets must resolve in the rule's tenant for a rule to be accepted (as on import).
        Directory.CreateDirectory(Path.Combine(_app.Folder, "secrets", Tenant));
        await File.WriteAllTextAsync(Path.Combine(_app.Folder, "secrets", Tenant, "CRM_TOKEN"), "super-secret-crm-token\n");
        await _app.PutRuleAsync(Tenant, "crm-lead", CrmRule);
        await _app.PutRuleAsync(Tenant, "analytics", """
            trigger: { events: ["conversation.*"] }
            request: { method: POST, url: "https://analytics.example.com/track", body: '{ "type": {{ type | json }} }' }
            """);
        await _app.PutRuleAsync(Tenant, "helpdesk", """
            enabled: false
            trigger: { events: [handoff.requested] }
            request: { method: POST, url: "https://helpdesk.example.com/tickets" }
            """);
        await _app.PutRuleAsync(Tenant, "old-webhook", """
            trigger: { events: [form.submitted] }
            request: { method: POST, url: "https://old.example.com/hook" }
            """);
        await _app.PauseRuleAsync(Tenant, "old-webhook", "endpoint answered 410 Gone for delivery msg_example");
        _operator = await _app.KeyAsync("operator", Tenant, "acme-ops");
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task RulesPage_SignedIn_ListsRulesWithStateAndPauseReason()
    {
        await using var session = await (await SharedChromium.GetAsync()).NewPageAsync();
        var page = session.Page;

        await page.SignInAsync(_app, _operator);
        var rows = page.GetByRole(AriaRole.Row);

        await Expect(rows.Filter(new() { HasText = "crm-lead" })).ToContainTextAsync("enabled");
        await Expect(rows.Filter(new() { HasText = "helpdesk" })).ToContainTextAsync("disabled");
        await Expect(rows.Filter(new() { HasText = "old-webhook" })).ToContainTextAsync("paused");
        await Expect(rows.Filter(new() { HasText = "old-webhook" })).ToContainTextAsync("410 Gone");
        await Expect(page.GetByRole(AriaRole.Main)).Not.ToContainTextAsync("super-secret-crm-token");
        await page.AssertControlsNamedAsync();
        await session.SaveScreenshotAsync("rules");

        // A phone (390 px): the page fits, the table scrolls in its own box, the navigation stays usable.
        await page.SetViewportSizeAsync(390, 844);
        await page.AssertNoSidewaysScrollAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Deliveries" })).ToBeInViewportAsync();
        await session.SaveScreenshotAsync("rules-phone");
        await page.GotoAsync(ConsoleBrowser.Url(_app, $"/t/{Tenant}/rules/crm-lead"));
        await page.AssertNoSidewaysScrollAsync();
        await session.SaveScreenshotAsync("rule-phone");
    }

    [Fact]
    public async Task EditRule_Errors_EachShownAtItsFieldAndLine()
    {
        await using var session = await (await SharedChromium.GetAsync()).NewPageAsync();
        var page = session.Page;
        await page.SignInAsync(_app, _operator);
        await page.GotoAsync(ConsoleBrowser.Url(_app, $"/t/{Tenant}/rules/crm-lead"));
        await page.GetByRole(AriaRole.Link, new() { Name = "Edit" }).ClickAsync();
        var editor = page.GetByLabel("Rule (YAML)");
        var text = await editor.InputValueAsync();

        // Two mistakes: a scheme the worker never calls and a method that does not exist.
        await editor.FillAsync(text.Replace("https://crm.example.com/api/v2/leads", "ftp://crm.example.com/leads", StringComparison.Ordinal)
            .Replace("method: POST", "method: SHOUT", StringComparison.Ordinal));
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        var errors = page.Locator("#errors");
        await Expect(errors).ToContainTextAsync("request.url");
        await Expect(errors).ToContainTextAsync("request.method");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not saved");
        var urlLine = page.Locator(".lines li.error").Filter(new() { HasText = "ftp://crm.example.com/leads" });
        await Expect(urlLine).ToContainTextAsync("request.url:");
        await Expect(page.Locator(".lines li.error").Filter(new() { HasText = "SHOUT" })).ToContainTextAsync("request.method:");
        await Expect(editor).ToHaveAttributeAsync("aria-invalid", "true");
        await session.SaveScreenshotAsync("errors");
        var stored = await _app.Services.GetRequiredService<RuleService>().GetAsync(Tenant, "crm-lead", default);
        Assert.Equal("https://crm.example.com/api/v2/leads", stored!.Definition.Request.Url);

        // The error's link goes to its line.
        await errors.GetByRole(AriaRole.Link).First.ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("#line-\\d+$"));
    }

    [Fact]
    public async Task EditRule_ChangedMeanwhile_RefusedWithClearMessage()
    {
        await using var session = await (await SharedChromium.GetAsync()).NewPageAsync();
        var page = session.Page;
        await page.SignInAsync(_app, _operator);
        await page.GotoAsync(ConsoleBrowser.Url(_app, $"/t/{Tenant}/rules/analytics/edit"));
        var editor = page.GetByLabel("Rule (YAML)");
        await editor.FillAsync((await editor.InputValueAsync()).Replace("analytics.example.com/track", "analytics.example.com/v2/track", StringComparison.Ordinal));

        // Someone else changes the rule while the editor is open.
        await _app.Services.GetRequiredService<RuleService>().SetEnabledAsync(Tenant, "analytics", false, RulePrecondition.None, Actor.Cli(), default);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("the rule changed since you opened the editor");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "The rule as it is now" })).ToBeVisibleAsync();
        await Expect(editor).ToHaveValueAsync(new Regex("analytics.example.com/v2/track"));
        await session.SaveScreenshotAsync("conflict");
        var stored = await _app.Services.GetRequiredService<RuleService>().GetAsync(Tenant, "analytics", default);
        Assert.Equal("https://analytics.example.com/track", stored!.Definition.Request.Url);
    }

    [Fact]
    public async Task EditRule_Saved_NewRevisionWithDiffAndDisableWorks()
    {
        await using var session = await (await SharedChromium.GetAsync()).NewPageAsync();
        var page = session.Page;
        await page.SignInAsync(_app, _operator);
        await page.GotoAsync(ConsoleBrowser.Url(_app, $"/t/{Tenant}/rules/crm-lead/edit"));
        var editor = page.GetByLabel("Rule (YAML)");
        await editor.FillAsync((await editor.InputValueAsync()).Replace("X-Source: astra", "X-Source: astra-console", StringComparison.Ordinal));

        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync("Rule saved");
        await Expect(page.Locator(".diff .add")).ToContainTextAsync("X-Source: astra-console");
        await Expect(page.Locator(".diff .del")).ToContainTextAsync("X-Source: astra");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "key:acme-ops" })).ToContainTextAsync("updated");
        await session.SaveScreenshotAsync("rule");

        await page.GetByRole(AriaRole.Button, new() { Name = "Disable" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync("Rule disabled");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Enable" })).ToBeVisibleAsync();
        var stored = await _app.Services.GetRequiredService<RuleService>().GetAsync(Tenant, "crm-lead", default);
        Assert.False(stored!.Row.Enabled);
        Assert.Equal("astra-console", stored.Definition.Request.Headers!["X-Source"]);
    }

    [Fact]
    public async Task DryRun_TemplateSample_MatchesWithEachCheckAndMaskedRequest()
    {
        await using var session = await (await SharedChromium.GetAsync()).NewPageAsync();
        var page = session.Page;
        await page.SignInAsync(_app, _operator);
        await page.GotoAsync(ConsoleBrowser.Url(_app, $"/t/{Tenant}/rules/crm-lead"));
        var sample = page.GetByLabel("Sample event (JSON)");
        await Expect(sample).ToHaveValueAsync(new Regex("\"score\": 50"));

        await page.GetByRole(AriaRole.Button, new() { Name = "Run dry run" }).ClickAsync();

        var result = page.Locator("#result");
        await Expect(result).ToContainTextAsync("matches — this request would be sent");
        await Expect(result).ToContainTextAsync("POST https://crm.example.com/api/v2/leads");
        await Expect(result).ToContainTextAsync("Authorization: Bearer ***");
        await Expect(result).Not.ToContainTextAsync("super-secret-crm-token");
        await Expect(result.Locator(".checks li")).Not.ToHaveCountAsync(0);
        await session.SaveScreenshotAsync("dry-run");

        // A sample that fails the condition: each check says which.
        var low = (await sample.InputValueAsync()).Replace("\"score\": 50", "\"score\": 10", StringComparison.Ordinal);
        await sample.FillAsync(low);
        await page.GetByRole(AriaRole.Button, new() { Name = "Run dry run" }).ClickAsync();
        await Expect(result).ToContainTextAsync("does not match");
        await Expect(result.Locator(".checks li").Filter(new() { HasText = "failed" })).Not.ToHaveCountAsync(0);
    }

    [Fact]
    public async Task DryRun_NotAnEvent_ErrorShownAtTheSample()
    {
        await using var session = await (await SharedChromium.GetAsync()).NewPageAsync();
        var page = session.Page;
        await page.SignInAsync(_app, await _app.KeyAsync("viewer", Tenant));
        await page.GotoAsync(ConsoleBrowser.Url(_app, $"/t/{Tenant}/rules/crm-lead"));
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Edit" })).ToHaveCountAsync(0); // a viewer reads and tries, never changes

        await page.GetByLabel("Sample event (JSON)").FillAsync("{ not json");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run dry run" }).ClickAsync();

        await Expect(page.Locator("#sample-errors")).ToContainTextAsync("is not valid JSON");
        await Expect(page.GetByLabel("Sample event (JSON)")).ToHaveAttributeAsync("aria-invalid", "true");
    }
}
