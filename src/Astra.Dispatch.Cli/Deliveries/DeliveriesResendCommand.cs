using Astra.Dispatch.Cli.Infrastructure;
using Astra.Dispatch.Dispatching;

namespace Astra.Dispatch.Cli.Deliveries;

/// <summary><c>deliveries resend ID</c>: the core's <see cref="DeliveryResend"/>, translated to output and exit codes.</summary>
internal sealed class DeliveriesResendCommand(CliOutput output) : DispatchCommand<DeliveryResendSettings>(output)
{
    protected override async Task<int> RunAsync(DeliveryResendSettings settings, IServiceProvider services, CancellationToken cancellationToken)
    {
        var result = await Get<DeliveryResend>(services).ResendAsync(settings.Id, settings.Tenant, cancellationToken);
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
