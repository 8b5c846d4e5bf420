namespace Astra.Dispatch.Console.Tests.Browser;

/// <summary>
/// One browser per test process, launched on first use and closed at process exit. A killed test host
/// leaves nothing behind: Playwright's driver exits when its pipe closes and takes the browser with it.
/// </summary>
/// <example>
/// <code>
/// await using var app = await LoopbackWebApp.StartAsync(MapEndpoints);
/// await using var session = await (await SharedChromium.GetAsync()).NewPageAsync(); // screenshot on dispose
/// await session.Page.GotoAsync(app.UrlFor("/"));
/// await Assertions.Expect(session.Page.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Rules");
/// </code>
/// </example>
public static class SharedChromium
{
    private static readonly Lazy<Task<ChromiumBrowser>> Instance = new(LaunchShared, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The shared browser. A failed launch is remembered, so every test fails fast with the same message.</summary>
    public static Task<ChromiumBrowser> GetAsync(CancellationToken cancellationToken = default) =>
        Instance.Value.WaitAsync(cancellationToken);

    private static Task<ChromiumBrowser> LaunchShared()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => CloseAtExit();
        // Expect(...) polls up to this long: 5 s by default, too short for a loaded 2-core machine.
        Microsoft.Playwright.Assertions.SetDefaultExpectTimeout(15_000);
        return Task.Run(ChromiumBrowser.LaunchAsync);
    }

    private static void CloseAtExit()
    {
        var launch = Instance.Value;
        if (launch.IsCompletedSuccessfully)
        {
            launch.Result.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(10));
        }
    }
}
