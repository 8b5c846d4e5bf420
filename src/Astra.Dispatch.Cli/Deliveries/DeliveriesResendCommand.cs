using Astra.Dispatch.Cli.Infrastructure;
using Astra.Dispatch.Dispatching;
using Astra.Dispatch.Management;

namespace Astra.Dispatch.Cli.Deliveries;

/// <summary><c>deliveries resend ID</c>: the <see cref="DeliveryService"/> the API uses too (audited), translated to output and exit codes.</summary>
internal sealed class DeliveriesResendCommand(CliOutput output) : DispatchCommand<DeliveryResendSettings>(output)
{
    protected override async Task<int> RunAsync(DeliveryResendSettings settings, IServiceProvider services, CancellationToken cancellationToken)
    {
        var result = await Get<DeliveryService>(services).ResendAsync(settings.Id, settings.Tenant, Actor.Cli(), cancellationToken);
        if (result.Status != ResendStatus.Sent)
            throw CliException.Failed($"Not resent: {result.Message}.");
        var d = result.Delivery!;
        if (settings.Json)
            Output.WriteJson(new { id = d.Id, tenant = d.TenantId, rule = d.RuleId, @event = d.EventId, previousStatus = d.Status, resent = true });
        else
            Output.Text($"Delivery {d.Id} (rule {d.RuleId}, event {d.EventId}, tenant {d.TenantId}) was {d.Status}; resent with a full retry schedule.");
        return ExitCodes.Ok;
    }
}
