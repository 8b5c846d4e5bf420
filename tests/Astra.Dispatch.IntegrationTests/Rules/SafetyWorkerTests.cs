using System.Text;
using System.Text.Json;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.IntegrationTests.Support;
using Astra.Dispatch.Testing;

namespace Astra.Dispatch.IntegrationTests.Rules;

/// <summary>The SSRF guard and the no-secrets-anywhere promise, end to end with the worker in-process.</summary>
public sealed class SafetyWorkerTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The receiver is never called; the tenant reads that its destination could not be reached, not why: the guard's
    /// refusal is worded and retried like a closed port or a timeout (see TenantNetworkTests), so it cannot be told apart.
    /// </summary>
    [Fact]
    public async Task LoopbackTargetWithoutAllowlist_RetriedThenDeadLetteredWithoutTheReason_ReceiverNeverCalled()
    {
        var broker = await SharedBroker.GetAsync();
        var tenant = "ssrf-" + Guid.NewGuid().ToString("N")[..10];
        var vhost = await broker.CreateVirtualHostAsync(tenant);
        await using var receiver = await HttpReceiver.StartAsync();
        await using var amqp = await RawAmqp.ConnectAsync(vhost);
        await using var results = await amqp.TapAsync(BusNames.ResultsExchange, "action.*");
        var logs = new CapturingLoggerProvider();
        // Replace the test default (127.0.0.0/8) with a network that does not hold the receiver.
        await using var worker = await WorkerHost.StartAsync(vhost, RuleYaml.Post($"{tenant}-r", tenant, receiver.UrlFor("/ssrf")),
            new Dictionary<string, string?> { ["Dispatch:Http:AllowedNetworks:0"] = "192.0.2.1/32" }, logs: logs);
        var e = Events.Lead(tenant);

        await amqp.PublishTextAsync(BusNames.EventsExchange, "lead.captured", e);

        var failed = await results.WaitForAsync(m => m.RoutingKey == "action.failed" && m.BodyText.Contains(Events.Id(e), StringComparison.Ordinal), Wait);
        var result = JsonDocument.Parse(failed.Body).RootElement;
        Assert.Equal($"gave up after 4 attempts: {HttpActionSender.Unreachable(receiver.UrlFor("/ssrf"))}", result.GetProperty("error").GetString());
        Assert.Equal(4, result.GetProperty("attempts").GetInt32());
        Assert.NotNull(await DeadLetterAsync(amqp, Events.Id(e)));
        Assert.Empty(receiver.Requests);
        // The operator's log has the real reason.
        Assert.Contains("refused by the SSRF guard: 127.0.0.1 is loopback", logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunWithSecrets_NoSecretValueInLogsDatabaseOrBus()
    {
        var broker = await SharedBroker.GetAsync();
        var tenant = "leak-" + Guid.NewGuid().ToString("N")[..10];
        var vhost = await broker.CreateVirtualHostAsync(tenant);
        var bearer = "bearer-" + Guid.NewGuid().ToString("N");
        var signingKey = Convert.ToBase64String(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).ToArray());
        var signing = "whsec_" + signingKey;
        var query = "query-" + Guid.NewGuid().ToString("N");
        var apiKey = "apikey-" + Guid.NewGuid().ToString("N");
        const string Phone = "+44 20 7946 0958";
        string[] secretValues = [bearer, signingKey, query, apiKey];

        var secrets = Directory.CreateTempSubdirectory("astra-leak-secrets-").FullName;
        try
        {
            var tenantSecrets = Directory.CreateDirectory(Path.Combine(secrets, tenant)).FullName;
            await File.WriteAllTextAsync(Path.Combine(tenantSecrets, "LEAK_BEARER"), bearer);
            await File.WriteAllTextAsync(Path.Combine(tenantSecrets, "LEAK_SIGNING"), signing);
            await File.WriteAllTextAsync(Path.Combine(tenantSecrets, "LEAK_QUERY"), query);
            await File.WriteAllTextAsync(Path.Combine(tenantSecrets, "LEAK_APIKEY"), apiKey);
            await using var receiver = await HttpReceiver.StartAsync();
            // A hostile endpoint echoes everything it got, including credentials, into its response.
            receiver.Respond((request, _) => new ReceiverResponse
            {
                StatusCode = request.Path == "/fail" ? 400 : 200,
                Body = JsonSerializer.Serialize(new { headers = request.Headers, query = request.Query, raw = string.Join(" ", request.Headers.Values) + " " + request.Query, data = new { phone = Phone } }),
            });
            await using var amqp = await RawAmqp.ConnectAsync(vhost);
            await using var results = await amqp.TapAsync(BusNames.ResultsExchange, "action.*");
            var logs = new CapturingLoggerProvider();
            var rules = string.Concat(
                RuleYaml.Post($"{tenant}-ok", tenant, receiver.UrlFor("/ok"),
                    extra: "auth: { type: bearer, secret: LEAK_BEARER }\nsigning: { secret: LEAK_SIGNING }\ncaptureResponse: true\nredact: [data.phone]"),
                RuleYaml.Post($"{tenant}-query", tenant, receiver.UrlFor("/query"), extra: "auth: { type: query, name: key, secret: LEAK_QUERY }\ncaptureResponse: true"),
                RuleYaml.Post($"{tenant}-fail", tenant, receiver.UrlFor("/fail"), extra: "auth: { type: header, name: X-Api-Key, secret: LEAK_APIKEY }"));
            var worker = await WorkerHost.StartAsync(vhost, rules, new Dictionary<string, string?> { ["Dispatch:SecretsPath"] = secrets }, logs: logs);
            string database;
            await using (worker)
            {
                await using var sendTap = await amqp.TapAsync(BusNames.SendQueue, "#", declareTopicExchange: false);
                var e = Events.Lead(tenant, data: new { email = "ada@example.com", name = "Ada", phone = Phone });
                await amqp.PublishTextAsync(BusNames.EventsExchange, "lead.captured", e);

                var ok = await results.WaitForAsync(m => m.BodyText.Contains($"{tenant}-ok", StringComparison.Ordinal), Wait);
                await results.WaitForAsync(m => m.BodyText.Contains($"{tenant}-query", StringComparison.Ordinal), Wait);
                await results.WaitForAsync(m => m.RoutingKey == "action.failed" && m.BodyText.Contains($"{tenant}-fail", StringComparison.Ordinal), Wait);
                await sendTap.WaitForCountAsync(3, Wait);

                // The receiver did get the credentials (so the check below is meaningful)...
                Assert.Equal($"Bearer {bearer}", receiver.Requests.Single(r => r.Path == "/ok").Header("Authorization"));
                Assert.Contains(query, receiver.Requests.Single(r => r.Path == "/query").Query, StringComparison.Ordinal);
                Assert.Equal(apiKey, receiver.Requests.Single(r => r.Path == "/fail").Header("X-Api-Key"));
                // ...and the captured response was redacted.
                Assert.True(!ok.BodyText.Contains(Phone, StringComparison.Ordinal), "the redact: field is in action.succeeded");

                var bus = new StringBuilder();
                foreach (var m in results.Messages.Concat(sendTap.Messages))
                    bus.Append(m.BodyText).Append(string.Join(",", m.Headers.Values.Select(v => v is byte[] b ? Encoding.UTF8.GetString(b) : v?.ToString())));
                var deadLetter = await DeadLetterAsync(amqp, Events.Id(e));
                foreach (var m in new[] { deadLetter })
                    bus.Append(m.BodyText).Append(string.Join(",", m.Headers.Values.Select(v => v is byte[] b ? Encoding.UTF8.GetString(b) : v?.ToString())));
                AssertNoSecret("the bus", bus.ToString(), secretValues);
                database = worker.DatabasePath;
                await worker.StopAsync();
                var files = Directory.GetFiles(Path.GetDirectoryName(database)!, "dispatch.db*");
                Assert.NotEmpty(files);
                foreach (var file in files)
                {
                    await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                    using var reader = new StreamReader(stream, Encoding.Latin1);
                    AssertNoSecret(Path.GetFileName(file), await reader.ReadToEndAsync(), secretValues);
                }
            }
            Assert.True(logs.Count > 0);
            AssertNoSecret("the logs", logs.Text, secretValues);
        }
        finally
        {
            Directory.Delete(secrets, recursive: true);
        }
    }

    /// <summary>
    /// A command published straight to astra.dispatch.send (a forged one, or one from a compromised publisher) naming a
    /// rule and another host: on main the worker sent it there with the rule's bearer token. Now it is checked against the
    /// rule's pinned origin, not sent anywhere, published as failed and dead-lettered.
    /// </summary>
    [Fact]
    public async Task ForgedCommandToAForeignHost_NotSentAnywhere_FailedAndDeadLettered()
    {
        var broker = await SharedBroker.GetAsync();
        var tenant = "forge-" + Guid.NewGuid().ToString("N")[..10];
        var vhost = await broker.CreateVirtualHostAsync(tenant);
        var secrets = Directory.CreateTempSubdirectory("astra-forge-secrets-").FullName;
        try
        {
            var token = "tok-" + Guid.NewGuid().ToString("N");
            await File.WriteAllTextAsync(Path.Combine(Directory.CreateDirectory(Path.Combine(secrets, tenant)).FullName, "CRM_TOKEN"), token);
            await using var owner = await HttpReceiver.StartAsync();
            await using var foreign = await HttpReceiver.StartAsync();
            await using var amqp = await RawAmqp.ConnectAsync(vhost);
            await using var results = await amqp.TapAsync(BusNames.ResultsExchange, "action.*");
            await using var worker = await WorkerHost.StartAsync(vhost,
                RuleYaml.Post($"{tenant}-crm", tenant, owner.UrlFor("/leads"), extra: "auth: { type: bearer, secret: CRM_TOKEN }"),
                new Dictionary<string, string?> { ["Dispatch:SecretsPath"] = secrets });
            var forged = new SendHttpAction
            {
                DeliveryId = "msg_forged" + Guid.NewGuid().ToString("N")[..8],
                EventId = "evt_forged",
                EventType = "lead.captured",
                TenantId = tenant,
                RuleId = $"{tenant}-crm",
                Method = "POST",
                Url = $"http://localhost:{foreign.BaseUri.Port}/steal",
                Body = "{}",
                ContentType = "application/json",
            };

            await amqp.PublishJsonAsync(BusNames.SendQueue, "", forged, mandatory: true);

            var failed = await results.WaitForAsync(m => m.RoutingKey == "action.failed" && m.BodyText.Contains(forged.DeliveryId, StringComparison.Ordinal), Wait);
            var error = JsonDocument.Parse(failed.Body).RootElement.GetProperty("error").GetString();
            Assert.StartsWith($"command refused: its URL's origin http://localhost:{foreign.BaseUri.Port} is not rule {tenant}-crm's", error, StringComparison.Ordinal);
            Assert.NotNull(await DeadLetterAsync(amqp, forged.EventId));
            Assert.Empty(foreign.Requests);
            Assert.Empty(owner.Requests);
        }
        finally
        {
            Directory.Delete(secrets, recursive: true);
        }
    }

    /// <summary>The dead letter of an event in astra.dispatch.send_error (created by MassTransit on the first fault, so it may not exist yet).</summary>
    private static async Task<AmqpMessage> DeadLetterAsync(RawAmqp amqp, string eventId)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            if ((await amqp.GetAllIfAnyAsync(BusNames.SendErrorQueue, remove: false)).FirstOrDefault(m => m.BodyText.Contains(eventId, StringComparison.Ordinal)) is { } found)
                return found;
            Assert.True(DateTime.UtcNow < deadline, $"no dead letter for {eventId} in {BusNames.SendErrorQueue}");
            await Task.Delay(200);
        }
    }

    private static void AssertNoSecret(string where, string text, string[] secrets)
    {
        foreach (var secret in secrets)
        {
            // Never print the value itself: say which one and where.
            Assert.True(!text.Contains(secret, StringComparison.Ordinal) && !text.Contains(Uri.EscapeDataString(secret), StringComparison.Ordinal),
                $"secret #{Array.IndexOf(secrets, secret)} found in {where}");
        }
    }
}
