using System.ComponentModel;
using Astra.Dispatch.Cli.Infrastructure;
using Spectre.Console.Cli;

namespace Astra.Dispatch.Cli.Rules;

internal class RuleIdSettings : CliSettings
{
    [CommandArgument(0, "<ID>")]
    [Description("The rule id.")]
    public string Id { get; init; } = "";

    [CommandOption("--tenant <TENANT>")]
    [Description("The rule's tenant; needed only when several tenants have a rule with this id.")]
    public string? Tenant { get; init; }
}

internal sealed class RulesFileSettings : CliSettings
{
    [CommandArgument(0, "<FILE>")]
    [Description("A YAML or JSON rules file, or a folder of them.")]
    public string Path { get; init; } = "";
}

internal sealed class RulesListSettings : CliSettings
{
    [CommandOption("--tenant <TENANT>")]
    [Description("Only this tenant's rules.")]
    public string? Tenant { get; init; }
}

internal sealed class RulesExportSettings : CliSettings
{
    [CommandArgument(0, "[FILE]")]
    [Description("Where to write; stdout when omitted.")]
    public string? Path { get; init; }
}

internal sealed class RulesTestSettings : RuleIdSettings
{
    [CommandOption("-e|--event <FILE>")]
    [Description("The sample event: a JSON file, or - for stdin.")]
    public string? Event { get; init; }

    [CommandOption("--send")]
    [Description("Actually send the request once and print the response.")]
    public bool Send { get; init; }

    public override Spectre.Console.ValidationResult Validate() => Event is null
        ? Spectre.Console.ValidationResult.Error("--event FILE (or --event -) is required.")
        : Spectre.Console.ValidationResult.Success();
}
