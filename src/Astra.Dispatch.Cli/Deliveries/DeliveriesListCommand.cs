using Astra.Dispatch.Cli.Infrastructure;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Storage;
using Spectre.Console;

namespace Astra.Dispatch.Cli.Deliveries;

internal sealed class DeliveriesListCommand(CliOutput output) : DispatchCommand<DeliveriesListSettings>(output)
{
    protected override async Task<int> RunAsync(DeliveriesListSettings settings, IServiceProvider services, CancellationToken cancellationToken)
    {
        var time = Get<TimeProvider>(services);
        var query = new DeliveryQuery(settings.Tenant, settings.Status, settings.Rule, settings.Event, TimeWindow.Since(settings.Since, time), settings.Limit);
        var rows = await Get<IDeliveryLog>(services).ListAsync(query, cancellationToken);
        if (settings.Json)
        {
            Output.WriteJson(rows);
            return ExitCodes.Ok;
        }
        var table = new Table().AddColumns("Delivery", "Status", "Rule", "Event", "Type", "Attempts", "Last", "Updated");
        foreach (var d in rows)
        {
            table.AddRow(d.Id, StatusMarkup(d.Status), Markup.Escape(d.RuleId), Markup.Escape(d.EventId), Markup.Escape(d.EventType),
                d.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape(d.LastError ?? d.LastStatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? ""),
                Markup.Escape(TimeWindow.Ago(d.UpdatedAt, time)));
        }
        Output.Console.Write(table);
        Output.Text($"{rows.Count} deliver{(rows.Count == 1 ? "y" : "ies")}.");
        return ExitCodes.Ok;
    }

    internal static string StatusMarkup(string status) => status switch
    {
        DeliveryStatus.Succeeded => "[green]succeeded[/]",
        DeliveryStatus.Failed => "[red]failed[/]",
        DeliveryStatus.Retrying => "[yellow]retrying[/]",
        _ => Markup.Escape(status),
    };
}
