using System.ComponentModel;
using Astra.Dispatch.Cli.Infrastructure;
using Spectre.Console.Cli;

namespace Astra.Dispatch.Cli.Deliveries;

internal static class DeliveriesBranch
{
    public static void Add(IConfigurator config) => config.AddBranch("deliveries", deliveries =>
    {
        deliveries.SetDescription("The delivery log: what was sent where, and how every attempt went.");
        deliveries.AddCommand<DeliveriesListCommand>("list").WithDescription("List deliveries, most recent first.")
            .WithExample("deliveries", "list", "--status", "failed", "--since", "1h")
            .WithExample("deliveries", "list", "--rule", "crm-new-lead", "--json")
            .WithExample("deliveries", "list", "--event", "evt_01JD");
        deliveries.AddCommand<DeliveriesShowCommand>("show").WithDescription("Show one delivery and every attempt (timing, status, error).")
            .WithExample("deliveries", "show", "msg_abc123");
        deliveries.AddCommand<DeliveriesResendCommand>("resend")
            .WithDescription("Send a delivery again: its stored event rendered for its rule as the rule is now, same delivery id, full retry schedule. "
                + "Also replays a render failure once the rule is fixed.")
            .WithExample("deliveries", "resend", "msg_abc123")
            .WithExample("deliveries", "resend", "msg_abc123", "--tenant", "acme", "--json");
    });
}

internal sealed class DeliveriesListSettings : CliSettings
{
    [CommandOption("--tenant <TENANT>")]
    [Description("Only this tenant's deliveries.")]
    public string? Tenant { get; init; }

    [CommandOption("--status <STATUS>")]
    [Description("pending, retrying, succeeded or failed.")]
    public string? Status { get; init; }

    [CommandOption("--rule <ID>")]
    public string? Rule { get; init; }

    [CommandOption("--event <ID>")]
    public string? Event { get; init; }

    [CommandOption("--since <WHEN>")]
    [Description("Only deliveries updated since: a duration back from now (30m, 1h, 2d) or an ISO time.")]
    public string? Since { get; init; }

    [CommandOption("--limit <N>")]
    [DefaultValue(100)]
    public int Limit { get; init; } = 100;

    public override Spectre.Console.ValidationResult Validate() =>
        Status is null or "pending" or "retrying" or "succeeded" or "failed"
            ? Limit is > 0 and <= 100_000 ? Spectre.Console.ValidationResult.Success() : Spectre.Console.ValidationResult.Error("--limit must be between 1 and 100000.")
            : Spectre.Console.ValidationResult.Error("--status must be pending, retrying, succeeded or failed.");
}

internal sealed class DeliveryResendSettings : CliSettings
{
    [CommandArgument(0, "<ID>")]
    [Description("The delivery id (msg_…).")]
    public string Id { get; init; } = "";

    [CommandOption("--tenant <TENANT>")]
    [Description("Only if the delivery is this tenant's.")]
    public string? Tenant { get; init; }
}

internal sealed class DeliveryIdSettings : CliSettings
{
    [CommandArgument(0, "<ID>")]
    [Description("The delivery id (msg_…).")]
    public string Id { get; init; } = "";
}
