using System.ComponentModel;
using Astra.Dispatch.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Astra.Dispatch.Cli.Events;

internal static class EventsBranch
{
    public static void Add(IConfigurator config) => config.AddBranch("events", events =>
    {
        events.SetDescription("Publish conversation events as an agent runtime would (for trying things out and load).");
        events.AddCommand<EventsPublishCommand>("publish")
            .WithDescription("Publish a raw JSON event to the astra.events exchange (routing key = type, persistent, confirmed).")
            .WithExample("events", "publish", "event.json")
            .WithExample("events", "publish", "-", "--type", "lead.captured", "--tenant", "acme")
            .WithExample("events", "publish", "event.json", "--count", "1000");
    });
}

internal sealed class EventsPublishSettings : CliSettings
{
    [CommandArgument(0, "<FILE>")]
    [Description("A JSON event file, or - for stdin.")]
    public string Path { get; init; } = "";

    [CommandOption("--type <TYPE>")]
    [Description("Override the event type.")]
    public string? Type { get; init; }

    [CommandOption("--tenant <TENANT>")]
    [Description("Override the tenant id.")]
    public string? Tenant { get; init; }

    [CommandOption("-n|--count <N>")]
    [Description("Publish N copies, each with its own eventId (<eventId>-1 … -N).")]
    [DefaultValue(1)]
    public int Count { get; init; } = 1;

    public override ValidationResult Validate() => Count is > 0 and <= 1_000_000
        ? ValidationResult.Success()
        : ValidationResult.Error("--count must be between 1 and 1000000.");
}
