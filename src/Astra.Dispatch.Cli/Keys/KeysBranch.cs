using System.ComponentModel;
using Astra.Dispatch.Cli.Infrastructure;
using Astra.Dispatch.Management;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Astra.Dispatch.Cli.Keys;

internal static class KeysBranch
{
    public static void Add(IConfigurator config) => config.AddBranch("keys", keys =>
    {
        keys.SetDescription("API keys of the management API and console: created here, shown once, stored only as a salted hash.");
        keys.AddCommand<KeysCreateCommand>("create").WithDescription("Create a key and print it once (--json: an object whose field key holds it).")
            .WithExample("keys", "create", "--role", "admin", "--name", "ops")
            .WithExample("keys", "create", "--role", "operator", "--tenant", "acme", "--name", "crm-sync", "--json");
        keys.AddCommand<KeysListCommand>("list").WithDescription("List keys (never their secrets).")
            .WithExample("keys", "list").WithExample("keys", "list", "--tenant", "acme", "--json");
        keys.AddCommand<KeysRevokeCommand>("revoke").WithDescription("Revoke a key at once: its next request gets 401.")
            .WithExample("keys", "revoke", "k3x7q2mzt4hd5w6a");
    });
}

internal sealed class KeysCreateSettings : CliSettings
{
    [CommandOption("--role <ROLE>")]
    [Description("admin, operator or viewer.")]
    public string? Role { get; init; }

    [CommandOption("--tenant <TENANT>")]
    [Description("The only tenant the key may see and act on; every tenant when omitted.")]
    public string? Tenant { get; init; }

    [CommandOption("--name <NAME>")]
    [Description("A name for people and the audit log, e.g. crm-sync.")]
    public string? Name { get; init; }

    public override ValidationResult Validate() => ApiRoles.TryParse(Role, out _)
        ? ValidationResult.Success()
        : ValidationResult.Error("--role must be admin, operator or viewer.");
}

internal sealed class KeysListSettings : CliSettings
{
    [CommandOption("--tenant <TENANT>")]
    [Description("Only this tenant's keys.")]
    public string? Tenant { get; init; }
}

internal sealed class KeyIdSettings : CliSettings
{
    [CommandArgument(0, "<ID>")]
    [Description("The key id (as keys list shows it; the part after astra_).")]
    public string Id { get; init; } = "";
}
