using Spectre.Console.Cli;

namespace Astra.Dispatch.Cli.Rules;

internal static class RulesBranch
{
    public static void Add(IConfigurator config) => config.AddBranch("rules", rules =>
    {
        rules.SetDescription("List, import, export, validate, enable, disable, delete and test action rules.");
        rules.AddCommand<RulesListCommand>("list").WithDescription("List the rules in the database.")
            .WithExample("rules", "list").WithExample("rules", "list", "--tenant", "acme", "--json");
        rules.AddCommand<RulesShowCommand>("show").WithDescription("Show one rule's definition and state.")
            .WithExample("rules", "show", "crm-new-lead");
        rules.AddCommand<RulesImportCommand>("import").WithDescription("Validate and import a rules file or folder atomically; running workers pick it up.")
            .WithExample("rules", "import", "rules.yaml").WithExample("rules", "import", "rules/", "--config", "appsettings.json");
        rules.AddCommand<RulesExportCommand>("export").WithDescription("Write every rule as YAML (or JSON for a .json file or --json).")
            .WithExample("rules", "export").WithExample("rules", "export", "backup.yaml");
        rules.AddCommand<RulesValidateCommand>("validate").WithDescription("Check a rules file or folder without importing; lists every error.")
            .WithExample("rules", "validate", "rules.yaml");
        rules.AddCommand<RulesEnableCommand>("enable").WithDescription("Enable a rule (also resumes a rule paused by a 410 Gone).")
            .WithExample("rules", "enable", "crm-new-lead");
        rules.AddCommand<RulesDisableCommand>("disable").WithDescription("Disable a rule.")
            .WithExample("rules", "disable", "crm-new-lead");
        rules.AddCommand<RulesDeleteCommand>("delete").WithDescription("Delete a rule.")
            .WithExample("rules", "delete", "crm-new-lead");
        rules.AddCommand<RulesTestCommand>("test").WithDescription("Explain whether a rule matches a sample event and show the rendered request (secrets masked); --send sends it once.")
            .WithExample("rules", "test", "crm-new-lead", "--event", "event.json")
            .WithExample("rules", "test", "crm-new-lead", "--event", "-", "--send");
    });
}
