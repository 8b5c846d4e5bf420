using Astra.Dispatch.Bus.Operations;
using Astra.Dispatch.Cli.Infrastructure;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Security;
using Spectre.Console;

namespace Astra.Dispatch.Cli.DeadLetters;

internal sealed class DlqShowCommand(CliOutput output) : DispatchCommand<DlqShowSettings>(output)
{
    protected override async Task<int> RunAsync(DlqShowSettings settings, IServiceProvider services, CancellationToken cancellationToken)
    {
        var queue = DlqSettings.ErrorQueue(settings.Queue);
        var letters = await Get<DeadLetterService>(services).ListAsync(settings.Queue, DeadLetterScope.Everything, int.MaxValue, cancellationToken);
        var letter = letters.FirstOrDefault(l => l.HasId(settings.Id)) ?? throw CliException.Failed($"No dead letter '{settings.Id}' in {queue}.");
        var redactor = Get<Redactor>(services);
        var headers = redactor.Headers(letter.Headers);
        var body = redactor.Text(letter.Body, null);
        var reason = redactor.Text(letter.Reason, null);
        if (settings.Json)
        {
            Output.WriteJson(new { letter.Id, letter.MessageId, letter.DeliveryId, letter.EventId, letter.RuleId, reason, letter.FailedAt, headers, body });
            return ExitCodes.Ok;
        }
        Output.Line($"[bold]{Markup.Escape(letter.Id)}[/] in {queue}: {Markup.Escape(reason ?? "no reason recorded")}");
        var table = new Table().AddColumns("Header", "Value");
        foreach (var (name, value) in headers.Where(h => !h.Key.Equals(BusHeaders.FaultStackTrace, StringComparison.Ordinal)))
            table.AddRow(Markup.Escape(name), Markup.Escape(value));
        Output.Console.Write(table);
        Output.Text(body ?? "");
        return ExitCodes.Ok;
    }
}
