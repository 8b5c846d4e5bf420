using Astra.Dispatch.Bus.Operations;
using Astra.Dispatch.Cli.Infrastructure;
using Astra.Dispatch.Security;
using Spectre.Console;

namespace Astra.Dispatch.Cli.DeadLetters;

internal sealed class DlqListCommand(CliOutput output) : DispatchCommand<DlqListSettings>(output)
{
    protected override async Task<int> RunAsync(DlqListSettings settings, IServiceProvider services, CancellationToken cancellationToken)
    {
        var queue = DlqSettings.ErrorQueue(settings.Queue);
        var letters = await Get<DeadLetterService>(services).ListAsync(settings.Queue, DeadLetterScope.Everything, settings.Limit, cancellationToken);
        var redactor = Get<Redactor>(services);
        if (settings.Json)
        {
            Output.WriteJson(letters.Select(l => new { l.Id, l.MessageId, l.DeliveryId, l.EventId, l.RuleId, reason = redactor.Text(l.Reason, null), l.FailedAt }));
            return ExitCodes.Ok;
        }
        var table = new Table().AddColumns("#", "ID", "Rule", "Event", "Failed", "Reason");
        foreach (var l in letters)
        {
            table.AddRow(l.Position.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(l.Id), Markup.Escape(l.RuleId ?? ""),
                Markup.Escape(l.EventId ?? ""), Markup.Escape(l.FailedAt?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? ""),
                Markup.Escape(redactor.Text(l.Reason, null) ?? ""));
        }
        Output.Console.Write(table);
        Output.Text($"{letters.Count} dead letter(s) in {queue}{(letters.Count == settings.Limit ? $" (first {settings.Limit}; use --limit)" : "")}.");
        return ExitCodes.Ok;
    }
}
