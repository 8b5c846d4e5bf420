using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.IntegrationTests.Support;
using Astra.Dispatch.Testing;
using Dapper;

namespace Astra.Dispatch.IntegrationTests.Durability;

/// <summary>
/// What happens to a delivery when the endpoint fails: retries through the TTL delay tiers on the schedule
/// (1s, 2s, 4s here), dead letters with their reason, rule pausing. One in-process worker per test (each test
/// changes worker-wide settings or pauses rules), each on its own virtual host of the shared broker.
/// </summary>
public sealed class DeliveryFaultTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>The queues a worker declares, and the tier of the first retry of the 1s, 2s, 4s schedule.</summary>
    private static readonly string[] WorkerQueuesAndFirstTier = [BusNames.EventsQueue, BusNames.SendQueue, BusNames.DelayQueue(TimeSpan.FromSeconds(1))];

    private readonly string _tenant = Some.Tenant();
    private RabbitMqBroker _broker = null!;
    private Uri _vhost = null!;
    private HttpReceiver _receiver = null!;
    private RawAmqp _amqp = null!;
    private QueueTap _results = null!;

    public async Task InitializeAsync()
    {
        _broker = await SharedBroker.GetAsync();
        _vhost = await _broker.CreateVirtualHostAsync(_tenant);
        _receiver = await HttpReceiver.StartAsync();
        _amqp = await RawAmqp.ConnectAsync(_vhost);
        _results = await QueueTap.ActionResultsAsync(_vhost);
    }

    public async Task DisposeAsync()
    {
        await _results.DisposeAsync();
        await _amqp.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task Send_TwoTransientFailuresThenSuccess_DeliveredOnThirdAttemptAfterScheduledDelays()
    {
        _receiver.RespondInSequence(ReceiverResponse.Status(503), ReceiverResponse.Status(503), ReceiverResponse.Ok());
        await using var worker = await StartWorkerAsync(Some.Rule("retry-ok", _tenant, _receiver.UrlFor("hooks/retry")));

        await _amqp.PublishEventAsync(_tenant, "evt-1");

        var succeeded = await _results.WaitForAsync(m => m.RoutingKey == BusNames.SucceededRoutingKey && m.Json().GetProperty("tenantId").GetString() == _tenant, Wait);
        Assert.Equal(3, succeeded.Json().GetProperty("attempts").GetInt32());
        var requests = _receiver.Requests;
        Assert.Equal(3, requests.Count);
        Assert.Single(requests.Select(r => r.Header("webhook-id")).Distinct());
        // Every attempt, and the result event, continue one trace (redeliveries carry the attempt's trace context).
        var traceId = TraceId(requests[0].Header("traceparent"));
        Assert.All(requests, r => Assert.Equal(traceId, TraceId(r.Header("traceparent"))));
        Assert.Equal(traceId, TraceId(succeeded.Headers.GetValueOrDefault("traceparent")?.ToString()));
        var deliveryId = DeliveryId.For(_tenant, "evt-1", "retry-ok");
        await Some.WaitForScalarAsync(worker.DatabasePath, "SELECT COUNT(*) FROM attempts WHERE delivery_id = @deliveryId", new { deliveryId }, 3, Wait);
        await Some.WaitForScalarAsync(worker.DatabasePath, "SELECT COUNT(*) FROM deliveries WHERE id = @deliveryId AND status = 'succeeded' AND attempts = 3", new { deliveryId }, 1, Wait);
        var started = await Some.QueryAsync(worker.DatabasePath, c => c.QueryAsync<string>(
            "SELECT started_at FROM attempts WHERE delivery_id = @deliveryId ORDER BY attempt", new { deliveryId }));
        var times = started.Select(DateTimeOffset.Parse).ToList();
        AssertGap(times[0], times[1], TimeSpan.FromSeconds(1));
        AssertGap(times[1], times[2], TimeSpan.FromSeconds(2));
        AssertGap(requests[0].ReceivedAt, requests[1].ReceivedAt, TimeSpan.FromSeconds(1));
        AssertGap(requests[1].ReceivedAt, requests[2].ReceivedAt, TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Send_RetryAfterTwoSeconds_NextAttemptWaitsForTheTwoSecondTier()
    {
        _receiver.RespondInSequence(ReceiverResponse.RetryAfter(503, 2), ReceiverResponse.Ok());
        await using var worker = await StartWorkerAsync(Some.Rule("retry-after", _tenant, _receiver.UrlFor("hooks/later")));

        await _amqp.PublishEventAsync(_tenant, "evt-1");

        var requests = await _receiver.WaitForCountAsync(2, Wait);
        // The first scheduled delay is 1s; Retry-After: 2 goes to the 2s tier instead.
        AssertGap(requests[0].ReceivedAt, requests[1].ReceivedAt, TimeSpan.FromSeconds(2));
        await _results.WaitForAsync(m => m.RoutingKey == BusNames.SucceededRoutingKey && m.Json().GetProperty("tenantId").GetString() == _tenant, Wait);
    }

    [Fact]
    public async Task Send_BadRequest_DeadLetteredAtOnceWithReason()
    {
        _receiver.RespondAlways(ReceiverResponse.Status(400, """{"error":"bad"}"""));
        await using var worker = await StartWorkerAsync(Some.Rule("bad-request", _tenant, _receiver.UrlFor("hooks/bad")));
        var deliveryId = DeliveryId.For(_tenant, "evt-1", "bad-request");

        await _amqp.PublishEventAsync(_tenant, "evt-1");

        var failed = await _results.WaitForAsync(m => m.RoutingKey == BusNames.FailedRoutingKey && m.Json().GetProperty("tenantId").GetString() == _tenant, Wait);
        Assert.Equal(1, failed.Json().GetProperty("attempts").GetInt32());
        Assert.Equal(400, failed.Json().GetProperty("httpStatus").GetInt32());
        var dead = await WaitForDeadLetterAsync(deliveryId);
        Assert.True(dead.Persistent);
        Assert.NotNull(dead.Header("MT-Fault-Message"));
        Assert.Equal("bad-request", dead.Header(BusHeaders.RuleId));
        Assert.Equal("1", dead.Header(BusHeaders.Attempts));
        Assert.Equal("400", dead.Header(BusHeaders.LastStatus));
        Assert.Contains("400", dead.Header(BusHeaders.LastError), StringComparison.Ordinal);
        Assert.Single(_receiver.Requests);
        await Some.WaitForScalarAsync(worker.DatabasePath, "SELECT COUNT(*) FROM deliveries WHERE id = @deliveryId AND status = 'failed'", new { deliveryId }, 1, Wait);
    }

    [Fact]
    public async Task Send_Gone_PausesRuleAndPublishesRulePaused()
    {
        _receiver.RespondAlways(ReceiverResponse.Status(410));
        await using var worker = await StartWorkerAsync(Some.Rule("gone-rule", _tenant, _receiver.UrlFor("hooks/gone")));

        await _amqp.PublishEventAsync(_tenant, "evt-1");

        var paused = await _results.WaitForAsync(m => m.RoutingKey == BusNames.RulePausedRoutingKey && m.Json().GetProperty("tenantId").GetString() == _tenant, Wait);
        Assert.Equal("gone-rule", paused.Json().GetProperty("ruleId").GetString());
        var (enabled, reason) = await Some.QueryAsync(worker.DatabasePath, c => c.QuerySingleAsync<(long, string?)>("SELECT enabled, paused_reason FROM rules WHERE id = 'gone-rule'"));
        Assert.Equal(0, enabled);
        Assert.Contains("410", reason, StringComparison.Ordinal);
        await WaitForDeadLetterAsync(DeliveryId.For(_tenant, "evt-1", "gone-rule"));
    }

    [Fact]
    public async Task Send_EndpointDownForWholeSchedule_DeadLetteredAfterMaxAttempts()
    {
        var closedPort = ClosedPort();
        await using var worker = await StartWorkerAsync(Some.Rule("down-rule", _tenant, new Uri($"http://127.0.0.1:{closedPort}/hooks/down")));
        var deliveryId = DeliveryId.For(_tenant, "evt-1", "down-rule");

        await _amqp.PublishEventAsync(_tenant, "evt-1");

        // 1 + 3 retries after 1s, 2s and 4s.
        var dead = await WaitForDeadLetterAsync(deliveryId);
        Assert.Equal("4", dead.Header(BusHeaders.Attempts));
        // The command stayed plain JSON (no MassTransit envelope) through three rounds of delay tiers.
        Assert.Equal("application/json", dead.ContentType);
        Assert.Equal(deliveryId, dead.Json().GetProperty("deliveryId").GetString());
        var failed = await _results.WaitForAsync(m => m.RoutingKey == BusNames.FailedRoutingKey && m.Json().GetProperty("tenantId").GetString() == _tenant, Wait);
        Assert.Equal(4, failed.Json().GetProperty("attempts").GetInt32());
        await Some.WaitForScalarAsync(worker.DatabasePath, "SELECT COUNT(*) FROM attempts WHERE delivery_id = @deliveryId", new { deliveryId }, 4, Wait);
        await Some.WaitForScalarAsync(worker.DatabasePath, "SELECT COUNT(*) FROM deliveries WHERE id = @deliveryId AND status = 'failed' AND attempts = 4", new { deliveryId }, 1, Wait);
    }

    [Fact]
    public async Task Send_AllFailingLongerThanPauseAfter_RulePaused()
    {
        _receiver.RespondAlways(ReceiverResponse.Status(503));
        await using var worker = await StartWorkerAsync(Some.Rule("streak-rule", _tenant, _receiver.UrlFor("hooks/streak")),
            new Dictionary<string, string?> { ["Dispatch:Delivery:PauseAfter"] = "00:00:02" });

        await _amqp.PublishEventAsync(_tenant, "evt-1");

        // Attempts at 0s, 1s, 3s: the third finds every attempt of the last 2s failed.
        var paused = await _results.WaitForAsync(m => m.RoutingKey == BusNames.RulePausedRoutingKey && m.Json().GetProperty("tenantId").GetString() == _tenant, Wait);
        Assert.Equal("streak-rule", paused.Json().GetProperty("ruleId").GetString());
        Assert.Equal(0, await Some.QueryAsync(worker.DatabasePath, c => c.ExecuteScalarAsync<long>("SELECT enabled FROM rules WHERE id = 'streak-rule'")));
        // The pending retry finds the rule paused and is dead-lettered instead of sent.
        await WaitForDeadLetterAsync(DeliveryId.For(_tenant, "evt-1", "streak-rule"));
        Assert.Equal(3, _receiver.Requests.Count);
    }

    [Fact]
    public async Task Send_OneEndpointHangs_OtherRuleKeepsFlowing()
    {
        await using var hanging = await HttpReceiver.StartAsync();
        hanging.RespondAlways(ReceiverResponse.Hanging());
        await using var worker = await StartWorkerAsync(
            Some.Rule("hangs", _tenant, hanging.UrlFor("hooks/{{ eventId }}"), timeout: "60s") + Some.Rule("healthy", _tenant, _receiver.UrlFor("hooks/{{ eventId }}")),
            new Dictionary<string, string?>
            {
                ["Dispatch:Http:MaxConcurrencyPerDestination"] = "8",
                ["Dispatch:RabbitMq:SendConcurrency"] = "16",
                ["Dispatch:Delivery:ShutdownGrace"] = "00:00:01",
            });
        const int count = 100;
        var clock = System.Diagnostics.Stopwatch.StartNew();

        for (var i = 0; i < count; i++)
            await _amqp.PublishEventAsync(_tenant, $"evt-{i}");

        // The hanging destination holds at most 8 of the 16 consumer slots; its other deliveries wait in the delay tiers.
        var healthy = await _receiver.WaitForCountAsync(count, TimeSpan.FromSeconds(20));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"healthy deliveries took {clock.Elapsed}");
        Assert.Equal(count, healthy.Select(r => r.Path).Distinct().Count());
        Assert.InRange(hanging.Requests.Count, 1, 8);

        // Deferred again and again, they wait longer each time (1s, 2s, 5s, ...) instead of coming back every second.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!(await _amqp.GetAllIfAnyAsync("astra.dispatch.delay.5s", remove: false)).Any(m => m.Header(BusHeaders.Deferrals) == "3"))
        {
            Assert.True(DateTime.UtcNow < deadline, "no delivery reached its third deferral (the 5s tier) within 20s");
            await Task.Delay(200);
        }
        Assert.InRange(hanging.Requests.Count, 1, 8);
    }

    [Fact]
    public async Task Send_DestinationSilent_CircuitOpensFailsFastThenProbeClosesItAndEverythingArrives()
    {
        _receiver.RespondAlways(ReceiverResponse.Hanging());
        await using var worker = await StartWorkerAsync(
            Some.Rule("silent", _tenant, _receiver.UrlFor("hooks/{{ eventId }}"), schedule: ["1s", "2s", "4s", "4s", "4s", "4s"], timeout: "1s"),
            new Dictionary<string, string?>
            {
                ["Dispatch:Http:BreakerThreshold"] = "3",
                ["Dispatch:Http:BreakerOpenFor"] = "00:00:03",
            });

        for (var i = 1; i <= 3; i++)
            await _amqp.PublishEventAsync(_tenant, $"evt-{i}");
        await _receiver.WaitForCountAsync(3, Wait);
        // Timed out; the receiver is on loopback, not a public address, so the tenant's error does not say how it failed.
        await Some.WaitForScalarAsync(worker.DatabasePath, "SELECT COUNT(*) FROM attempts WHERE outcome = 'transient' AND error LIKE 'could not reach 127.0.0.1:%'", null, 3, Wait);

        // Three timeouts in a row opened the circuit: new deliveries fail at once, as attempts, without a request.
        for (var i = 4; i <= 8; i++)
            await _amqp.PublishEventAsync(_tenant, $"evt-{i}");
        await Some.WaitForScalarAsync(worker.DatabasePath,
            "SELECT COUNT(DISTINCT delivery_id) FROM attempts WHERE outcome = 'circuit-open' AND attempt = 1 AND status_code IS NULL AND duration_ms = 0 AND error LIKE '%circuit open until%'",
            null, 5, Wait);
        Assert.Equal(3, _receiver.Requests.Count);

        // The endpoint recovers: after the open period one probe gets through, its answer closes the circuit, and every
        // delivery arrives on its retry schedule.
        _receiver.Reset();
        var delivered = await _receiver.WaitForCountAsync(8, Wait);
        Assert.Equal(Enumerable.Range(1, 8).Select(i => $"/hooks/evt-{i}").Order(), delivered.Select(r => r.Path).Order());
        await Some.WaitForScalarAsync(worker.DatabasePath, "SELECT COUNT(*) FROM deliveries WHERE status = 'succeeded'", null, 8, Wait);
    }

    [Fact]
    public async Task Events_PoisonOfEachKind_GoToEventsErrorOnceAndNextEventIsDelivered()
    {
        await using var worker = await StartWorkerAsync(Some.Rule("after-poison", _tenant, _receiver.UrlFor("hooks/ok")));
        var marker = Guid.NewGuid().ToString("N");
        var poison = new Dictionary<string, string>
        {
            ["not-json"] = "this is { not json",
            ["missing-field"] = $$"""{ "eventId": "e1", "type": "lead.captured" }""",
            ["wrong-type"] = $$"""{ "eventId": 42, "type": "lead.captured", "tenantId": "{{_tenant}}", "data": [1, 2] }""",
            ["too-large"] = $$"""{ "eventId": "e2", "type": "lead.captured", "tenantId": "{{_tenant}}", "data": { "blob": "{{new string('x', 1_100_000)}}" } }""",
        };

        foreach (var (kind, body) in poison)
            await _amqp.PublishTextAsync(BusNames.EventsExchange, Some.EventType, body, new Dictionary<string, object?> { ["test-marker"] = marker, ["test-kind"] = kind }, mandatory: true);
        await _amqp.PublishEventAsync(_tenant, "evt-valid");

        await _receiver.WaitForRequestAsync(r => r.Body.Contains("evt-valid", StringComparison.Ordinal), Wait);
        var errors = await WaitForMessagesAsync(BusNames.EventsErrorQueue, m => m.Header("test-marker") == marker, poison.Count);
        Assert.Equal(poison.Keys.Order(), errors.Select(m => m.Header("test-kind")!).Order());
        Assert.All(errors, m => Assert.False(string.IsNullOrEmpty(m.Header("MT-Fault-Message")), $"{m.Header("test-kind")} has no reason"));
        Assert.Contains("bytes", errors.Single(m => m.Header("test-kind") == "too-large").Header("MT-Fault-Message"), StringComparison.Ordinal);
        Assert.Contains("tenantId", errors.Single(m => m.Header("test-kind") == "missing-field").Header("MT-Fault-Message"), StringComparison.Ordinal);
        Assert.DoesNotContain(await _amqp.GetAllIfAnyAsync(BusNames.EventsQueue + "_skipped", remove: false), m => m.Header("test-marker") == marker);
        Assert.Single(_receiver.Requests);
    }

    /// <summary>
    /// The size is checked from the body's length before the deserializer reads it. On main the body was parsed first, so
    /// 2 MiB of garbage was refused for its JSON ('x' is an invalid start of a value …) after being read, and a large
    /// valid document was deserialized whole before its size was looked at.
    /// </summary>
    [Fact]
    public async Task Events_HugeBodyThatIsNotJson_DeadLetteredForItsSizeWithoutBeingParsed()
    {
        await using var worker = await StartWorkerAsync(Some.Rule("after-huge", _tenant, _receiver.UrlFor("hooks/ok")));
        var marker = Guid.NewGuid().ToString("N");

        await _amqp.PublishTextAsync(BusNames.EventsExchange, Some.EventType, new string('x', 2 * 1024 * 1024), new Dictionary<string, object?> { ["test-marker"] = marker },
            mandatory: true);
        await _amqp.PublishEventAsync(_tenant, "evt-after-huge");

        await _receiver.WaitForRequestAsync(r => r.Body.Contains("evt-after-huge", StringComparison.Ordinal), Wait);
        var error = Assert.Single(await WaitForMessagesAsync(BusNames.EventsErrorQueue, m => m.Header("test-marker") == marker, 1));
        Assert.Equal($"invalid event: event is {2 * 1024 * 1024} bytes; the limit is {1024 * 1024}", error.Header("MT-Fault-Message"));
    }

    [Fact]
    public async Task Events_CommandQueueUnbound_EventDeadLetteredNotDropped()
    {
        await using var worker = await StartWorkerAsync(Some.Rule("unroutable", _tenant, _receiver.UrlFor("hooks/unroutable")));
        // A broker that lost the binding (e.g. definitions reset by hand): commands sent to the exchange route nowhere.
        await using (var channel = await _amqp.Connection.CreateChannelAsync())
            await channel.QueueUnbindAsync(BusNames.SendQueue, BusNames.SendQueue, "");
        var marker = Guid.NewGuid().ToString("N");

        await _amqp.PublishJsonAsync(BusNames.EventsExchange, Some.EventType, Some.Event(_tenant, "evt-unroutable"),
            new Dictionary<string, object?> { ["test-marker"] = marker });

        // The command is published mandatory: the broker returns it, the event consumer fails, the event is kept.
        var error = Assert.Single(await WaitForMessagesAsync(BusNames.EventsErrorQueue, m => m.Header("test-marker") == marker, 1));
        Assert.False(string.IsNullOrEmpty(error.Header("MT-Fault-Message")));
        Assert.Empty(_receiver.Requests);
    }

    [Fact]
    public async Task QuorumQueues_TransientFailureThenSuccess_RetriedThroughAQuorumTierAndDelivered()
    {
        // Dispatch:RabbitMq:QuorumQueues, for a cluster: the worker's queues and its delay tiers are quorum queues, and a
        // retry still waits out its tier and comes back (message TTL and dead-lettering on quorum queues: RabbitMQ 3.10+).
        _receiver.RespondInSequence(ReceiverResponse.Status(503), ReceiverResponse.Ok());
        await using var worker = await StartWorkerAsync(Some.Rule("quorum-retry", _tenant, _receiver.UrlFor("hooks/quorum")),
            new Dictionary<string, string?> { ["Dispatch:RabbitMq:QuorumQueues"] = "true" });

        await _amqp.PublishEventAsync(_tenant, "evt-quorum");

        var succeeded = await _results.WaitForAsync(m => m.RoutingKey == BusNames.SucceededRoutingKey && m.Json().GetProperty("tenantId").GetString() == _tenant, Wait);
        Assert.Equal(2, succeeded.Json().GetProperty("attempts").GetInt32());
        Assert.Equal(2, _receiver.Requests.Count);
        AssertEach(await _broker.QueueTypesAsync(_tenant), "quorum", WorkerQueuesAndFirstTier);
    }

    [Fact]
    public async Task QuorumQueues_PoisonEventAndRejectedDelivery_DeadLetteredIntoQuorumErrorQueues()
    {
        // MassTransit declares the _error queues on the first fault, with its endpoint's queue arguments: in a cluster the
        // dead letters must be replicated like the queues they came from, or a lost node loses them.
        _receiver.RespondAlways(ReceiverResponse.Status(400));
        await using var worker = await StartWorkerAsync(Some.Rule("quorum-rejected", _tenant, _receiver.UrlFor("hooks/rejected")),
            new Dictionary<string, string?> { ["Dispatch:RabbitMq:QuorumQueues"] = "true" });
        var marker = Guid.NewGuid().ToString("N");

        await _amqp.PublishTextAsync(BusNames.EventsExchange, Some.EventType, "this is { not json", new Dictionary<string, object?> { ["test-marker"] = marker }, mandatory: true);
        await _amqp.PublishEventAsync(_tenant, "evt-rejected");

        await WaitForMessagesAsync(BusNames.EventsErrorQueue, m => m.Header("test-marker") == marker, 1);
        await WaitForDeadLetterAsync(DeliveryId.For(_tenant, "evt-rejected", "quorum-rejected"));
        AssertEach(await _broker.QueueTypesAsync(_tenant), "quorum", BusNames.EventsErrorQueue, BusNames.SendErrorQueue);
    }

    [Fact]
    public async Task ClassicQueues_OnTheTestBroker_WorkerQueuesAndTiersStoredOnVersion2()
    {
        // Test and benchmark brokers run classic queues on storage version 2 (BrokerSettings), as RabbitMQ 4.2+ does
        // by default and the README recommends for 3.10–4.1: the suite covers the storage operators should run.
        _receiver.RespondInSequence(ReceiverResponse.Status(503), ReceiverResponse.Ok());
        await using var worker = await StartWorkerAsync(Some.Rule("classic-v2", _tenant, _receiver.UrlFor("hooks/classic-v2")));

        await _amqp.PublishEventAsync(_tenant, "evt-classic-v2");

        await _receiver.WaitForCountAsync(2, Wait);
        AssertEach(await _broker.ClassicQueueVersionsAsync(_tenant), 2, WorkerQueuesAndFirstTier);
    }

    /// <summary>Each of <paramref name="queues"/> has <paramref name="expected"/> (its type, its storage version) in <paramref name="found"/>.</summary>
    private static void AssertEach<T>(IReadOnlyDictionary<string, T> found, T expected, params string[] queues)
    {
        foreach (var queue in queues)
        {
            Assert.True(found.TryGetValue(queue, out var actual) && EqualityComparer<T>.Default.Equals(actual, expected),
                $"{queue}: {(found.ContainsKey(queue) ? actual : "missing")} ({string.Join(", ", found)})");
        }
    }

    private Task<AmqpMessage> WaitForDeadLetterAsync(string deliveryId) =>
        WaitForMessagesAsync(BusNames.SendErrorQueue, m => m.Header(BusHeaders.DeliveryId) == deliveryId, 1).ContinueWith(t => t.Result[0], TaskScheduler.Default);

    /// <summary>Takes messages off a (possibly not yet declared) error queue until <paramref name="count"/> of them match.</summary>
    private async Task<IReadOnlyList<AmqpMessage>> WaitForMessagesAsync(string queue, Func<AmqpMessage, bool> match, int count)
    {
        var found = new List<AmqpMessage>();
        var deadline = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < deadline)
        {
            found.AddRange((await _amqp.GetAllIfAnyAsync(queue, remove: true)).Where(match));
            if (found.Count >= count)
            {
                Assert.Equal(count, found.Count);
                return found;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{queue} had {found.Count} of {count} expected message(s) after {Wait.TotalSeconds}s");
    }

    private Task<WorkerHost> StartWorkerAsync(string rulesYaml, IDictionary<string, string?>? settings = null) =>
        WorkerHost.StartAsync(_vhost, rulesYaml, settings);

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string TraceId(string? traceParent) =>
        traceParent is ['0', '0', '-', ..] && traceParent.Split('-') is [_, var id, _, _] ? id : throw new Xunit.Sdk.XunitException($"not a traceparent: {traceParent}");

    // Never early; late by less than the distance to the next tier of the 1s, 2s, 4s schedule (so it was this tier),
    // which leaves room for a loaded CI machine.
    private static void AssertGap(DateTimeOffset first, DateTimeOffset second, TimeSpan expected)
    {
        var gap = second - first;
        Assert.InRange(gap, expected - TimeSpan.FromMilliseconds(100), expected + expected * 0.95);
    }
}
