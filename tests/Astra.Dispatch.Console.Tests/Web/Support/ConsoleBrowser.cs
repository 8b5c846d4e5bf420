using Astra.Dispatch.Console.Tests.Api.Support;
using Astra.Dispatch.Management;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Astra.Dispatch.Console.Tests.Web.Support;

/// <summary>What the console's browser tests do again and again: sign in through the form, put a rule through the services.</summary>
public static class ConsoleBrowser
{
    public static async Task SignInAsync(this IPage page, ConsoleApp app, string key)
    {
        await page.GotoAsync(Url(app, "/signin"));
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
    }

    public static string Url(ConsoleApp app, string path) => new Uri(app.Client.BaseAddress!, path).ToString();

    /// <summary>Creates or replaces a rule as an operator would through the API (a revision and an audit entry).</summary>
    public static async Task PutRuleAsync(this ConsoleApp app, string tenant, string id, string yaml)
    {
        var result = await app.Services.GetRequiredService<RuleService>().PutAsync(tenant, id, yaml, yaml: true, RulePrecondition.None, Actor.Cli(), default);
        Assert.NotEqual(RuleChangeOutcome.PreconditionFailed, result.Outcome);
    }

    /// <summary>Pauses a rule as the worker does after a 410.</summary>
    public static Task PauseRuleAsync(this ConsoleApp app, string tenant, string id, string reason) =>
        app.Services.GetRequiredService<IRuleStore>().SetEnabledAsync(tenant, id, false, reason, default);
}
