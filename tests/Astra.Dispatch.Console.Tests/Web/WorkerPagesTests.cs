using System.Text.RegularExpressions;
using Astra.Dispatch.Console.Tests.Api.Support;
using Astra.Dispatch.Console.Tests.Browser;
using Astra.Dispatch.Console.Tests.Web.Support;
using Astra.Dispatch.Storage;
using Astra.Dispatch.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Astra.Dispatch.Console.Tests.Web;

/// <summary>
/// The console beside a real worker (in-process, its own wiring) on a real broker, with a real loopback receiver: a
/// delivery the worker made is found and opened with its attempts, trace and result event; a real dead letter in
/// astra.dispatch.send_error is redriven from the page and delivered; the status page shows the queues and the worker.
/// On each database: the rules and status pages read the deliveries through queries of each.
/// </summary>
public abstract class WorkerPagesTests(string database) : IAsyncLifetime
{
    private const string TraceUrl = "http://jaeger.example:16686/trace/{traceId}";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(45);
    private readonly string _tenant = "t" + Guid.NewGuid().ToString("N")[..8];
    private HttpReceiver _receiver = null!;
    private ConsoleApp _app = null!;
    private InProcessWorker _worker = null!;
    private RawAmqp _amqp = null!;
    private string _operator = null!;

    public async Task InitializeAsync()
    {
        var vhost = await (await SharedBroker.GetAsync()).CreateVirtualHostAsync(_tenant);
        _receiver = await HttpReceiver.StartAsync();
        _app = await ConsoleApp.StartAsync(database, vhost.ToString(), settings: new Dictionary<string, string?> { ["Dispatch:Console:TraceUrl"] = TraceUrl });
        _worker = await InProcessWorker.StartAsync(vhost, _app.Settings["Dispatch:Database"]!, _app.Folder);
        _amqp = await RawAmqp.ConnectAsync(vhost);
        _operator = await _app.KeyAsync("operator", _tenant, "support");
        await _app.PutRuleAsync(_tenant, "crm", RuleFor("/leads"));
        // The worker's rule cache checks the database every 200 ms.
        await Task.Delay(600);
    }

    public async Task DisposeAsync()
    {
        await _amqp.DisposeAsync();
        await _worker.DisposeAsync();
        await _app.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task Delivery_MadeByTheWorker_FoundOpenedWithAttemptsTraceAndResult()
    {
        var eventId = "evt_" + Guid.NewGuid().ToString("N");
        await PublishAsync(eventId);
        await _receiver.WaitForRequestAsync(r => r.Path == "/leads", Wait);
        await WaitForStatusAsync(eventId, "succeeded");
        await PublishAsync("evt_" + Guid.NewGuid().ToString("N")); // a second row, so the list is a list
        await using var session = await (await SharedChromium.GetAsync()).NewPageAsync();
        var page = session.Page;
        await page.SetViewportSizeAsync(1280, 800);

        await page.SignInAsync(_app, _operator);
        await page.GetByRole(AriaRole.Link, new() { Name = "Deliveries" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = eventId })).ToContainTextAsync("succeeded");
        await session.SaveScreenshotAsync("deliveries");
        await SaveForReadmeAsync(page, "console-deliveries.png");

        await page.GetByLabel("Event id").FillAsync(eventId);
        await page.GetByLabel("Status").SelectOptionAsync("succeeded");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"event={eventId}"));
        await Expect(page.GetByRole(AriaRole.Row)).ToHaveCountAsync(2); // the header and the one delivery
        await page.GetByRole(AriaRole.Row).Nth(1).GetByRole(AriaRole.Link).First.ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(new Regex("^msg_"));
        var attempt = page.Locator(".timeline > li").First;
        await Expect(attempt).ToContainTextAsync("Attempt 1");
        await Expect(attempt).ToContainTextAsync("HTTP 200");
        var trace = attempt.GetByRole(AriaRole.Link).Filter(new() { HasTextRegex = new Regex("^[0-9a-f]{32}$") });
        await Expect(trace).ToHaveAttributeAsync("href", new Regex("^http://jaeger\\.example:16686/trace/[0-9a-f]{32}$"));
        var result = page.Locator("#result + p + pre");
        await Expect(page.Locator("section").Filter(new() { Has = page.Locator("#result") })).ToContainTextAsync("action.succeeded");
        await Expect(result).ToContainTextAsync($"\"eventId\": \"{eventId}\"");
        await Expect(result).ToContainTextAsync("\"httpStatus\": 200");
        await session.SaveScreenshotAsync("delivery");
        await SaveForReadmeAsync(page, "console-delivery.png");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await page.GoBackAsync();
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task DeadLetter_InSendErrorQueue_RedrivenFromThePage_Delivered()
    {
        _receiver.RespondAlways(new ReceiverResponse { StatusCode = 400 }); // permanent: dead-lettered at once
        var other = "o" + _tenant[1..];
        await _app.PutRuleAsync(other, "crm", RuleFor("/other"));
        await Task.Delay(600);
        var otherEvent = "evt_" + Guid.NewGuid().ToString("N");
        await PublishAsync(otherEvent, other);
        var otherDelivery = await WaitForStatusAsync(otherEvent, "failed", other);
        var eventId = "evt_" + Guid.NewGuid().ToString("N");
        await PublishAsync(eventId);
        var delivery = await WaitForStatusAsync(eventId, "failed");
        await using var session = await (await SharedChromium.GetAsync()).NewPageAsync();
        var page = session.Page;
        await page.SignInAsync(_app, _operator);

        await page.GetByRole(AriaRole.Link, new() { Name = "Dead letters" }).ClickAsync();
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = delivery });
        for (var i = 0; i < 30 && await row.CountAsync() == 0; i++)
        {
            await Task.Delay(500);
            await page.ReloadAsync();
        }
        await Expect(row).ToContainTextAsync("HTTP 400");
        await Expect(row).ToContainTextAsync("crm");
        // The other tenant's dead letter is in the same queue, and this tenant's key never sees it.
        Assert.DoesNotContain(otherDelivery, await page.ContentAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(other, await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        await session.SaveScreenshotAsync("dead-letters");

        _receiver.Reset();
        await row.GetByRole(AriaRole.Checkbox).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Redrive selected" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync("Redriven: 1 dead letter(s) moved back to astra.dispatch.send");
        await _receiver.WaitForRequestAsync(r => r.Path == "/leads", Wait);
        await WaitForStatusAsync(eventId, "succeeded");
        await session.SaveScreenshotAsync("redriven");
    }

    [Fact]
    public async Task EveryPage_SecretSeededAndEchoedBack_NeverShownAndEveryControlNamed()
    {
        // A secret the rule sends, and an endpoint that echoes it back in its error response: the worker stores a
        // redacted excerpt and error, so no page (lists, the delivery, the dead letter, the editor, the dry run) may show it.
        var secret = "s3cr3t-" + Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(Path.Combine(_app.Folder, "secrets", _tenant));
        await File.WriteAllTextAsync(Path.Combine(_app.Folder, "secrets", _tenant, "CRM_TOKEN"), secret + "\n");
        await _app.PutRuleAsync(_tenant, "crm", RuleFor("/echo", "auth: { type: bearer, secret: CRM_TOKEN }"));
        await Task.Delay(600);
        _receiver.Respond((request, _) => ReceiverResponse.Status(400, $$"""{ "error": "bad lead", "you_sent": "{{request.Headers["Authorization"]}}" }"""));
        var eventId = "evt_" + Guid.NewGuid().ToString("N");
        await PublishAsync(eventId);
        var sent = await _receiver.WaitForRequestAsync(r => r.Path == "/echo", Wait);
        Assert.Equal("Bearer " + secret, sent.Headers["Authorization"]); // the secret really went out, and really came back
        var delivery = await WaitForStatusAsync(eventId, "failed");
        await using var session = await (await SharedChromium.GetAsync()).NewPageAsync();
        var page = session.Page;
        await page.SignInAsync(_app, _operator);

        string[] paths =
        [
            $"/t/{_tenant}/rules", $"/t/{_tenant}/rules/crm", $"/t/{_tenant}/rules/crm/edit", $"/t/{_tenant}/deliveries",
            $"/t/{_tenant}/deliveries/{delivery}", "/dead-letters", "/status",
        ];
        foreach (var path in paths)
        {
            var response = await page.GotoAsync(ConsoleBrowser.Url(_app, path));
            Assert.Equal(200, response!.Status);
            await page.AssertNoSecretAsync(secret);
            await page.AssertControlsNamedAsync();
        }
        // The delivery page does hold the echo, masked.
        await page.GotoAsync(ConsoleBrowser.Url(_app, $"/t/{_tenant}/deliveries/{delivery}"));
        await page.GetByText("Response excerpt (redacted)").ClickAsync();
        await Expect(page.Locator(".timeline details pre")).ToContainTextAsync("you_sent");
        await Expect(page.Locator(".timeline details pre")).ToContainTextAsync("Bearer ***");
        await page.AssertNoSecretAsync(secret);
        // The dead letter is listed, its reason without the secret.
        await page.GotoAsync(ConsoleBrowser.Url(_app, "/dead-letters"));
        for (var i = 0; i < 30 && !(await page.ContentAsync()).Contains(delivery, StringComparison.Ordinal); i++)
        {
            await Task.Delay(500);
            await page.ReloadAsync();
        }
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = delivery })).ToContainTextAsync("HTTP 400");
        await page.AssertNoSecretAsync(secret);
        // The dry run renders the request with the credential masked.
        await page.GotoAsync(ConsoleBrowser.Url(_app, $"/t/{_tenant}/rules/crm"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Run dry run" }).ClickAsync();
        await Expect(page.Locator("#result")).ToContainTextAsync("Authorization: Bearer ***");
        await page.AssertNoSecretAsync(secret);
        await page.AssertControlsNamedAsync();
        // And an admin's pages across tenants.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.SignInAsync(_app, await _app.KeyAsync("admin"));
        foreach (var path in new[] { "/", "/status", "/dead-letters", $"/t/{_tenant}/rules/crm", $"/t/{_tenant}/deliveries/{delivery}" })
        {
            await page.GotoAsync(ConsoleBrowser.Url(_app, path));
            await page.AssertNoSecretAsync(secret);
            if (path == "/")
            {
                await Expect(page.GetByRole(AriaRole.Link, new() { Name = _tenant, Exact = true })).ToBeVisibleAsync();
                await session.SaveScreenshotAsync("tenants");
            }
        }
    }

    /// <summary>
    /// An operator resends a delivered lead from its page (the browser confirms first): the worker sends it again with the
    /// same webhook-id. With the rule disabled, the resend is refused with the reason and nothing is sent; a viewer has
    /// no Resend button.
    /// </summary>
    [Fact]
    public async Task Delivery_ResentFromItsPage_SentAgainWithTheSameId_RefusedWhileTheRuleIsDisabled()
    {
        var eventId = "evt_" + Guid.NewGuid().ToString("N");
        await PublishAsync(eventId);
        var first = await _receiver.WaitForRequestAsync(r => r.Path == "/leads" && r.Body.Contains("ada@example.com", StringComparison.Ordinal), Wait);
        var delivery = await WaitForStatusAsync(eventId, "succeeded");
        await using var session = await (await SharedChromium.GetAsync()).NewPageAsync();
        var page = session.Page;
        page.Dialog += (_, dialog) => _ = dialog.AcceptAsync();
        await page.SignInAsync(_app, _operator);
        await page.GotoAsync(ConsoleBrowser.Url(_app, $"/t/{_tenant}/deliveries/{delivery}"));

        await page.GetByRole(AriaRole.Button, new() { Name = "Resend" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync("Resent: the delivery is pending again (it was succeeded)");
        var again = await _receiver.WaitForRequestAsync(r => r.Path == "/leads" && r.Header("webhook-id") == first.Header("webhook-id") && !ReferenceEquals(r, first), Wait);
        Assert.Equal(first.Header("webhook-id"), again.Header("webhook-id"));
        await WaitForStatusAsync(eventId, "succeeded");

        await page.GotoAsync(ConsoleBrowser.Url(_app, $"/t/{_tenant}/rules/crm"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Disable" }).ClickAsync();
        await page.GotoAsync(ConsoleBrowser.Url(_app, $"/t/{_tenant}/deliveries/{delivery}"));
        var before = _receiver.Requests.Count;
        var refused = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Resend" }).ClickAsync(), r => r.Request.Method == "POST");

        Assert.Equal(409, refused.Status);
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Not resent: rule crm of tenant");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("is disabled: enable it first");
        await session.SaveScreenshotAsync("delivery-resend-refused");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.SignInAsync(_app, await _app.KeyAsync("viewer", _tenant, "reader"));
        await page.GotoAsync(ConsoleBrowser.Url(_app, $"/t/{_tenant}/deliveries/{delivery}"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(delivery);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Resend" })).ToHaveCountAsync(0);
        Assert.Equal(before, _receiver.Requests.Count);
    }

    [Fact]
    public async Task Status_AdminKey_QueuesWorkersAndChart()
    {
        await PublishAsync("evt_" + Guid.NewGuid().ToString("N"));
        await _receiver.WaitForRequestAsync(r => r.Path == "/leads", Wait);
        await using var session = await (await SharedChromium.GetAsync()).NewPageAsync();
        var page = session.Page;
        await page.SignInAsync(_app, await _app.KeyAsync("admin"));

        await page.GetByRole(AriaRole.Link, new() { Name = "Status" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "astra.dispatch.send_error" })).ToBeVisibleAsync();
        await Expect(page.Locator(".card").Filter(new() { HasText = "Workers" })).ToContainTextAsync("1");
        await Expect(page.GetByRole(AriaRole.Img, new() { Name = "Deliveries per minute by outcome, last 60 minutes" })).ToBeVisibleAsync();
        await Expect(page.Locator("svg.chart rect[fill='#1f7a3f']")).Not.ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("Pause auto-refresh") })).ToBeVisibleAsync();
        await session.SaveScreenshotAsync("status");
    }

    private string RuleFor(string path, string? auth = null) => $$$"""
        name: Leads to the CRM
        trigger: { events: [lead.captured] }
        request:
          method: POST
          url: "{{{_receiver.UrlFor(path)}}}"
          body: '{ "email": {{ data.email | json }} }'
        {{{auth}}}
        """;

    /// <summary>With ASTRA_SCREENSHOTS_DIR set, the README's pictures of a real run are written there too (see docs/console.md).</summary>
    private static async Task SaveForReadmeAsync(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("ASTRA_SCREENSHOTS_DIR") is { Length: > 0 } folder)
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name), FullPage = false });
    }

    private Task PublishAsync(string eventId, string? tenant = null) =>
        _amqp.PublishJsonAsync("astra.events", "lead.captured",
            new { eventId, type = "lead.captured", tenantId = tenant ?? _tenant, data = new { email = "ada@example.com" } }, mandatory: true);

    private async Task<string> WaitForStatusAsync(string eventId, string status, string? tenant = null)
    {
        var search = _app.Services.GetRequiredService<IDeliverySearch>();
        var deadline = DateTimeOffset.UtcNow + Wait;
        while (DateTimeOffset.UtcNow < deadline)
        {
            var rows = await search.ListAsync(new DeliveryPageQuery(tenant ?? _tenant, status, EventId: eventId), default);
            if (rows.Count > 0)
                return rows[0].Id;
            await Task.Delay(200);
        }
        throw new TimeoutException($"no {status} delivery of {eventId} within {Wait}");
    }
}

/// <summary>The console's worker pages on SQLite.</summary>
public sealed class WorkerPagesOnSqliteTests() : WorkerPagesTests(ConsoleApp.Sqlite);

/// <summary>The console's worker pages on PostgreSQL.</summary>
public sealed class WorkerPagesOnPostgresTests() : WorkerPagesTests(ConsoleApp.Postgres);
