using System.ComponentModel;
using Astra.Dispatch.Bus.Operations;
using Astra.Dispatch.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Astra.Dispatch.Cli.DeadLetters;

internal static class DeadLettersBranch
{
    public static void Add(IConfigurator config) => config.AddBranch("dlq", dlq =>
    {
        dlq.SetDescription("Dead letters: commands and events that could not be processed (astra.dispatch.send_error, events_error).");
        dlq.AddCommand<DlqListCommand>("list").WithDescription("List dead letters without removing them.")
            .WithExample("dlq", "list").WithExample("dlq", "list", "--queue", "events", "--json");
        dlq.AddCommand<DlqShowCommand>("show").WithDescription("Show one dead letter: headers, fault reason and body (secrets masked).")
            .WithExample("dlq", "show", "msg_abc123");
        dlq.AddCommand<DlqRedriveCommand>("redrive").WithDescription("Move dead letters back for a fresh attempt with a full retry schedule.")
            .WithExample("dlq", "redrive", "msg_abc123", "msg_def456")
            .WithExample("dlq", "redrive", "--all")
            .WithExample("dlq", "redrive", "--rule", "crm-new-lead", "--since", "2h")
            .WithExample("dlq", "redrive", "--queue", "events", "--all");
        dlq.AddCommand<DlqPurgeCommand>("purge").WithDescription("Delete the dead letters of a queue, all or those of a rule or since a time (asks first unless --yes).")
            .WithExample("dlq", "purge", "--yes")
            .WithExample("dlq", "purge", "--rule", "crm-new-lead", "--since", "2h", "--yes");
    });
}

internal class DlqSettings : CliSettings
{
    [CommandOption("-q|--queue <QUEUE>")]
    [Description("send (astra.dispatch.send_error, the default) or events (astra.dispatch.events_error).")]
    [DefaultValue("send")]
    public string Queue { get; init; } = "send";

    /// <summary>The error queue of <c>--queue</c>.</summary>
    public static string ErrorQueue(string queue) => DeadLetterQueue.TryResolve(queue, out var errorQueue, out _)
        ? errorQueue
        : throw CliException.Usage($"--queue must be send or events, not '{queue}'.");

    public override ValidationResult Validate() => Queue is "send" or "events"
        ? ValidationResult.Success()
        : ValidationResult.Error("--queue must be send or events.");
}

internal sealed class DlqListSettings : DlqSettings
{
    [CommandOption("--limit <N>")]
    [DefaultValue(100)]
    public int Limit { get; init; } = 100;
}

internal sealed class DlqShowSettings : DlqSettings
{
    [CommandArgument(0, "<ID>")]
    [Description("A delivery id, event id or message id (as dlq list shows).")]
    public string Id { get; init; } = "";
}

internal sealed class DlqRedriveSettings : DlqSettings
{
    [CommandArgument(0, "[IDS]")]
    [Description("Delivery, event or message ids to redrive.")]
    public string[] Ids { get; init; } = [];

    [CommandOption("--all")]
    [Description("Redrive every dead letter of the queue (narrowed by --rule and --since).")]
    public bool All { get; init; }

    [CommandOption("--rule <ID>")]
    public string? Rule { get; init; }

    [CommandOption("--since <WHEN>")]
    [Description("Only what failed since: a duration back from now (2h, 1d) or an ISO time.")]
    public string? Since { get; init; }

    public override ValidationResult Validate()
    {
        var queue = base.Validate();
        if (!queue.Successful)
            return queue;
        return Ids.Length == 0 && !All && Rule is null && Since is null
            ? ValidationResult.Error("Say what to redrive: one or more IDs, --all, --rule ID or --since 2h.")
            : ValidationResult.Success();
    }
}

internal sealed class DlqPurgeSettings : DlqSettings
{
    [CommandOption("-y|--yes")]
    [Description("Do not ask for confirmation.")]
    public bool Yes { get; init; }

    [CommandOption("--rule <ID>")]
    [Description("Only the dead letters of this rule.")]
    public string? Rule { get; init; }

    [CommandOption("--since <WHEN>")]
    [Description("Only what failed since: a duration back from now (2h, 1d) or an ISO time.")]
    public string? Since { get; init; }
}
