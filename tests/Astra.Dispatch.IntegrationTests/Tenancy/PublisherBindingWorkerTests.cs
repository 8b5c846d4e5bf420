using Astra.Dispatch.Cli;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.IntegrationTests.Support;
using Astra.Dispatch.Testing;

namespace Astra.Dispatch.IntegrationTests.Tenancy;

/// <summary>
/// The worker, on a virtual host of its own, with <c>Dispatch:Tenancy:Publishers</c> binding broker user
/// <see cref="AcmePublisher"/> to tenant <see cref="Acme"/> and guest (the CLI's user here) to every tenant;
/// <see cref="EvilPublisher"/> is a broker user bound to nothing. Users are node-wide, so their names are unique.
/// </summary>
public sealed class PublisherBindingWorker : IAsyncLifetime
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..10];
    private WorkerHost _worker = null!;

    public string Acme => "pb-" + _suffix;

    public string AcmePublisher => "agent-runtime-" + _suffix;

    public string EvilPublisher => "evil-runtime-" + _suffix;

    public Uri VirtualHost { get; private set; } = null!;

    public HttpReceiver Receiver { get; private set; } = null!;

    public RawAmqp AsGuest { get; private set; } = null!;

    public RawAmqp AsAcmePublisher { get; private set; } = null!;

    public RawAmqp AsEvilPublisher { get; private set; } = null!;

    public QueueTap Results { get; private set; } = null!;

    internal CapturingLoggerProvider Logs { get; } = new();

    public async Task InitializeAsync()
    {
        var broker = await SharedBroker.GetAsync();
        VirtualHost = await broker.CreateVirtualHostAsync(Acme);
        var acmeUri = await broker.CreateUserAsync(AcmePublisher, "pw-" + _suffix, Acme);
        var evilUri = await broker.CreateUserAsync(EvilPublisher, "pw-" + _suffix, Acme);
        Receiver = await HttpReceiver.StartAsync();
        AsGuest = await RawAmqp.ConnectAsync(VirtualHost);
        AsAcmePublisher = await RawAmqp.ConnectAsync(acmeUri);
        AsEvilPublisher = await RawAmqp.ConnectAsync(evilUri);
        Results = await AsGuest.TapAsync(BusNames.ResultsExchange, "action.*");
        _worker = await WorkerHost.StartAsync(VirtualHost, RuleYaml.Post($"{Acme}-crm", Acme, Receiver.UrlFor("/acme")), new Dictionary<string, string?>
        {
            [$"Dispatch:Tenancy:Publishers:{AcmePublisher}:0"] = Acme,
            ["Dispatch:Tenancy:Publishers:guest:0"] = "*",
        }, logs: Logs);
    }

    public async Task DisposeAsync()
    {
        await _worker.DisposeAsync();
        await Results.DisposeAsync();
        await AsEvilPublisher.DisposeAsync();
        await AsAcmePublisher.DisposeAsync();
        await AsGuest.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}

/// <summary>
/// The publisher binding on the real broker, where RabbitMQ itself checks each <c>user_id</c> against the publishing
/// connection's user. On main there was no binding: an event claiming any tenant, from any broker user, was delivered.
/// </summary>
public sealed class PublisherBindingWorkerTests(PublisherBindingWorker fixture) : IClassFixture<PublisherBindingWorker>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task BoundPublisher_EventForItsTenant_Delivered()
    {
        var e = Events.Lead(fixture.Acme);

        await fixture.AsAcmePublisher.PublishTextAsync(BusNames.EventsExchange, "lead.captured", e, userId: fixture.AcmePublisher);

        await fixture.Results.WaitForAsync(m => m.RoutingKey == BusNames.SucceededRoutingKey && m.BodyText.Contains(Events.Id(e), StringComparison.Ordinal), Wait);
        Assert.Contains(fixture.Receiver.Requests, r => r.Path == "/acme" && r.Header("webhook-id") == DeliveryIdOf(Events.Id(e)));
    }

    [Fact]
    public async Task UnboundPublisher_EventClaimingAcme_DeadLetteredWithTheReasonAndLoggedOnce()
    {
        var e = Events.Lead(fixture.Acme);

        await fixture.AsEvilPublisher.PublishTextAsync(BusNames.EventsExchange, "lead.captured", e, userId: fixture.EvilPublisher);

        var letter = await DeadLetterAsync(Events.Id(e));
        Assert.Equal($"invalid event: publisher \"{fixture.EvilPublisher}\" is not bound to any tenant (Dispatch:Tenancy:Publishers)", letter.Header(BusHeaders.FaultMessage));
        Assert.Equal(fixture.EvilPublisher, letter.Header(BusHeaders.Publisher));
        Assert.Null(letter.UserId);
        await AssertNeverDeliveredAsync(Events.Id(e));
        Assert.Single(fixture.Logs.Text.Split('\n'), l => (l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Warning", StringComparison.Ordinal))
            && l.Contains($"publisher \"{fixture.EvilPublisher}\" is not bound", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnEventWithoutUserId_DeadLetteredWithTheReason()
    {
        var e = Events.Lead(fixture.Acme);

        await fixture.AsGuest.PublishTextAsync(BusNames.EventsExchange, "lead.captured", e);

        var letter = await DeadLetterAsync(Events.Id(e));
        Assert.StartsWith("invalid event: the event has no user_id property", letter.Header(BusHeaders.FaultMessage), StringComparison.Ordinal);
        await AssertNeverDeliveredAsync(Events.Id(e));
    }

    /// <summary>
    /// On main, and without the binding too: MassTransit moved a poison event to the error queue with all its properties,
    /// and RabbitMQ refuses a publish whose <c>user_id</c> is not the worker's user (406, channel closed), so an invalid
    /// event from any other broker user came back and failed again, forever, instead of being dead-lettered.
    /// </summary>
    [Fact]
    public async Task PoisonEventFromAnotherBrokerUser_DeadLetteredNotRetriedForever()
    {
        var marker = "poison-" + Guid.NewGuid().ToString("N");

        await fixture.AsEvilPublisher.PublishTextAsync(BusNames.EventsExchange, "lead.captured", $"not json {marker}", userId: fixture.EvilPublisher);

        var letter = await DeadLetterAsync(marker);
        Assert.Equal(fixture.EvilPublisher, letter.Header(BusHeaders.Publisher));
    }

    [Fact]
    public async Task CliEventsPublish_SaysItsBrokerUser_DeliveredForAnyTenantGuestIsBoundTo()
    {
        var eventId = "evt_" + Guid.NewGuid().ToString("N");
        var file = Path.Combine(Directory.CreateTempSubdirectory("astra-pb-cli-").FullName, "event.json");
        await File.WriteAllTextAsync(file, Events.Lead(fixture.Acme, eventId));
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await CliApp.RunAsync(["events", "publish", file], output, error,
            new Dictionary<string, string?> { ["Dispatch:RabbitMq:Uri"] = fixture.VirtualHost.ToString() });

        Assert.True(code == 0, error.ToString());
        await fixture.Results.WaitForAsync(m => m.RoutingKey == BusNames.SucceededRoutingKey && m.BodyText.Contains(eventId, StringComparison.Ordinal), Wait);
    }

    private async Task<AmqpMessage> DeadLetterAsync(string marker)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            // Not removed: the other tests' dead letters stay for them; MassTransit declares the queue on the first fault.
            var found = (await fixture.AsGuest.GetAllIfAnyAsync(BusNames.EventsErrorQueue, remove: false))
                .FirstOrDefault(m => m.BodyText.Contains(marker, StringComparison.Ordinal));
            if (found is not null)
                return found;
            Assert.True(DateTime.UtcNow < deadline, $"no dead letter holding {marker} in {BusNames.EventsErrorQueue}");
            await Task.Delay(200);
        }
    }

    /// <summary>A witness event through the same queue, after the refused one, is delivered; the refused one never was.</summary>
    private async Task AssertNeverDeliveredAsync(string eventId)
    {
        var witness = Events.Lead(fixture.Acme);
        await fixture.AsAcmePublisher.PublishTextAsync(BusNames.EventsExchange, "lead.captured", witness, userId: fixture.AcmePublisher);
        await fixture.Results.WaitForAsync(m => m.BodyText.Contains(Events.Id(witness), StringComparison.Ordinal), Wait);
        Assert.DoesNotContain(fixture.Results.Messages, m => m.BodyText.Contains(eventId, StringComparison.Ordinal));
        Assert.DoesNotContain(fixture.Receiver.Requests, r => r.Header("webhook-id") == DeliveryIdOf(eventId));
    }

    private string DeliveryIdOf(string eventId) => DeliveryId.For(fixture.Acme, eventId, $"{fixture.Acme}-crm");
}
