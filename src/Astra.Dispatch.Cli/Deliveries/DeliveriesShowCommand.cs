using Astra.Dispatch.Cli.Infrastructure;
using Astra.Dispatch.Security;
using Astra.Dispatch.Storage;
using Spectre.Console;

namespace Astra.Dispatch.Cli.Deliveries;

internal sealed class DeliveriesShowCommand(CliOutput output) : DispatchCommand<DeliveryIdSettings>(output)
{
    protected override async Task<int> RunAsync(DeliveryIdSettings settings, IServiceProvider services, CancellationToken cancellationToken)
    {
        var store = Get<IDeliveryLog>(services);
        var delivery = await store.GetAsync(settings.Id, cancellationToken) ?? throw CliException.Failed($"Delivery '{settings.Id}' does not exist.");
        var attempts = await store.ListAttemptsAsync(settings.Id, cancellationToken);
        // Excerpts were redacted by the worker before they were stored; mask again in case of sensitive fields.
        var redactor = Get<Redactor>(services);
        var shown = attempts.Select(a => a with { ResponseExcerpt = redactor.Text(a.ResponseExcerpt, null) }).ToList();
        if (settings.Json)
        {
            Output.WriteJson(new { delivery, attempts = shown });
            return ExitCodes.Ok;
        }
        var time = Get<TimeProvider>(services);
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("Delivery", delivery.Id);
        grid.AddRow("Status", DeliveriesListCommand.StatusMarkup(delivery.Status));
        grid.AddRow("Rule", Markup.Escape(delivery.RuleId));
        grid.AddRow("Event", Markup.Escape($"{delivery.EventId} ({delivery.EventType}, tenant {delivery.TenantId})"));
        grid.AddRow("Created", Markup.Escape(TimeWindow.Ago(delivery.CreatedAt, time)));
        grid.AddRow("Updated", Markup.Escape(TimeWindow.Ago(delivery.UpdatedAt, time)));
        if (delivery.NextAttemptAt is { } next)
            grid.AddRow("Next attempt", Markup.Escape(next));
        Output.Console.Write(grid);
        var table = new Table().AddColumns("#", "Started", "Duration", "HTTP", "Outcome", "Error", "Response");
        foreach (var a in shown)
        {
            table.AddRow(a.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(a.StartedAt), $"{a.DurationMs:0} ms",
                a.StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-", Markup.Escape(a.Outcome),
                Markup.Escape(a.Error ?? ""), Markup.Escape(Cut(a.ResponseExcerpt, 200)));
        }
        Output.Console.Write(table);
        return ExitCodes.Ok;
    }

    private static string Cut(string? text, int max) => text is null ? "" : text.Length <= max ? text : text[..max] + "…";
}
