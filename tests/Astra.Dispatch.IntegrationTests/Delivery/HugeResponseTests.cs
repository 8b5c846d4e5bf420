using Astra.Dispatch.Contracts;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.IntegrationTests.Durability;
using Astra.Dispatch.IntegrationTests.Support;
using Astra.Dispatch.Testing;
using Dapper;

namespace Astra.Dispatch.IntegrationTests.Delivery;

/// <summary>
/// A receiver answering with 50 MiB: the attempt is recorded with a cut excerpt and the worker reads only a bounded
/// prefix. Not run in parallel with other tests, because allocations are counted for the whole process.
/// </summary>
[Collection(Name)]
public sealed class HugeResponseTests
{
    public const string Name = "allocation-sensitive";
    private const long Size = 50L * 1024 * 1024;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task SendAsync_FiftyMebibyteResponse_SucceedsAllocatingFarLessThanTheBody()
    {
        await using var server = await HugeResponseServer.StartAsync(Size);
        await using var sender = DirectSender.Create();
        // Warm up (connection pool, JIT) on the same path, so the measured call is the steady state.
        Assert.Equal(OutcomeKind.Succeeded, (await sender.SendAsync(DirectSender.Rule(server.Url))).Kind);

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var outcome = await sender.SendAsync(DirectSender.Rule(server.Url));
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(OutcomeKind.Succeeded, outcome.Kind);
        Assert.Equal(200, outcome.StatusCode);
        Assert.InRange(outcome.ResponseBody!.Length, 1, new HttpDeliveryOptions().MaxResponseBodyBytes);
        Assert.True(allocated < 8 * 1024 * 1024, $"one delivery of a 50 MiB response allocated {allocated / 1024} KiB");
    }

    [Fact]
    public async Task Worker_FiftyMebibyteResponse_AttemptRecordedWithCutExcerpt()
    {
        var tenant = Some.Tenant();
        var vhost = await (await SharedBroker.GetAsync()).CreateVirtualHostAsync(tenant);
        await using var server = await HugeResponseServer.StartAsync(Size);
        await using var worker = await WorkerHost.StartAsync(vhost, RuleYaml.Post("huge", tenant, server.Url));
        await using var amqp = await RawAmqp.ConnectAsync(vhost);
        await using var results = await amqp.TapAsync(BusNames.ResultsExchange, "action.*");

        await amqp.PublishEventAsync(tenant, "evt-huge");

        var result = await results.WaitForAsync(m => m.BodyText.Contains("evt-huge", StringComparison.Ordinal), Wait);
        Assert.Equal(BusNames.SucceededRoutingKey, result.RoutingKey);
        var deliveryId = DeliveryId.For(tenant, "evt-huge", "huge");
        await Some.WaitForScalarAsync(worker.DatabasePath, "SELECT COUNT(*) FROM attempts WHERE delivery_id = @deliveryId AND status_code = 200", new { deliveryId }, 1, Wait);
        var excerpt = await Some.QueryAsync(worker.DatabasePath, c => c.ExecuteScalarAsync<string>("SELECT response_excerpt FROM attempts WHERE delivery_id = @deliveryId", new { deliveryId }));
        Assert.Equal(HttpActionSender.ExcerptChars, excerpt!.Length);
        Assert.StartsWith("{\"data\":\"xxxx", excerpt, StringComparison.Ordinal);
        Assert.Equal(1, server.Requests);
    }
}

[CollectionDefinition(HugeResponseTests.Name, DisableParallelization = true)]
public sealed class AllocationSensitiveCollection
{
}
