using Astra.Dispatch.Dispatching;
using Astra.Dispatch.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Astra.Dispatch.Tests.Tenancy;

/// <summary>
/// The planner decides what the publisher binding and the tenant id contract mean for an event: the consumer only
/// passes the AMQP <c>user_id</c> in the <see cref="EventReceipt"/> and dead-letters a rejection.
/// </summary>
public sealed class PlannerTenancyTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("astra-planner-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private ServiceProvider Services(params (string Key, string Value)[] settings)
    {
        var all = new Dictionary<string, string?> { ["Dispatch:Database"] = Path.Combine(_folder, "d.db") };
        foreach (var (key, value) in settings)
            all[key] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(all).Build();
        return new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging().AddAstraDispatch().Services.BuildServiceProvider();
    }

    /// <summary>On main the receipt carried no publisher and the planner accepted an event for any tenant from anyone.</summary>
    [Fact]
    public async Task PlanAsync_BindingConfigured_EventForAnotherTenantRejectedWithTheReason()
    {
        await using var services = Services(("Dispatch:Tenancy:Publishers:agent-runtime-acme:0", "acme"));
        var planner = services.GetRequiredService<IEventPlanner>();

        var claimed = await planner.PlanAsync(Some.Event() with { TenantId = "globex" }, new EventReceipt(100, false, "agent-runtime-acme"), CancellationToken.None);
        var anonymous = await planner.PlanAsync(Some.Event(), new EventReceipt(100, false, null), CancellationToken.None);
        var own = await planner.PlanAsync(Some.Event(), new EventReceipt(100, false, "agent-runtime-acme"), CancellationToken.None);

        Assert.Equal("publisher \"agent-runtime-acme\" may not publish for tenant 'globex' (Dispatch:Tenancy:Publishers)", claimed.Rejection);
        Assert.StartsWith("the event has no user_id property", anonymous.Rejection, StringComparison.Ordinal);
        Assert.Null(own.Rejection);
    }

    [Fact]
    public async Task PlanAsync_NoBinding_PublisherNotChecked()
    {
        await using var services = Services();

        var plan = await services.GetRequiredService<IEventPlanner>().PlanAsync(Some.Event(), new EventReceipt(100, false, null), CancellationToken.None);

        Assert.Null(plan.Rejection);
    }

    [Fact]
    public async Task PlanAsync_TenantIdNotOfTheContractsForm_Rejected()
    {
        await using var services = Services();

        var plan = await services.GetRequiredService<IEventPlanner>().PlanAsync(Some.Event() with { TenantId = "../acme" }, new EventReceipt(100, false), CancellationToken.None);

        Assert.Equal("tenantId is not a tenant id (1-63 characters of a-z, 0-9 and '-', starting with a letter or digit)", plan.Rejection);
    }
}
