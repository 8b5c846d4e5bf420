using Astra.Dispatch.Cli.Infrastructure;
using Astra.Dispatch.Management;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Storage;

namespace Astra.Dispatch.Cli.Rules;

internal sealed class RulesEnableCommand(CliOutput output) : DispatchCommand<RuleIdSettings>(output)
{
    protected override Task<int> RunAsync(RuleIdSettings settings, IServiceProvider services, CancellationToken cancellationToken) =>
        RulesStateChange.RunAsync(Output, settings, "enabled",
            (rules, rule) => rules.SetEnabledAsync(rule.TenantId, rule.Id, true, RulePrecondition.None, Actor.Cli(), cancellationToken), services, cancellationToken);
}

internal sealed class RulesDisableCommand(CliOutput output) : DispatchCommand<RuleIdSettings>(output)
{
    protected override Task<int> RunAsync(RuleIdSettings settings, IServiceProvider services, CancellationToken cancellationToken) =>
        RulesStateChange.RunAsync(Output, settings, "disabled",
            (rules, rule) => rules.SetEnabledAsync(rule.TenantId, rule.Id, false, RulePrecondition.None, Actor.Cli(), cancellationToken), services, cancellationToken);
}

internal sealed class RulesDeleteCommand(CliOutput output) : DispatchCommand<RuleIdSettings>(output)
{
    protected override Task<int> RunAsync(RuleIdSettings settings, IServiceProvider services, CancellationToken cancellationToken) =>
        RulesStateChange.RunAsync(Output, settings, "deleted",
            (rules, rule) => rules.DeleteAsync(rule.TenantId, rule.Id, RulePrecondition.None, Actor.Cli(), cancellationToken), services, cancellationToken);
}

/// <summary>Rule state changes through the shared <see cref="RuleService"/>: a revision and an audit entry as <c>cli:&lt;user&gt;</c>.</summary>
internal static class RulesStateChange
{
    public static async Task<int> RunAsync(CliOutput output, RuleIdSettings settings, string done, Func<RuleService, StoredRule, Task<RuleChangeResult>> change,
        IServiceProvider services, CancellationToken cancellationToken)
    {
        var store = (IRuleStore)services.GetService(typeof(IRuleStore))!;
        var rule = await RuleLoader.GetAsync(store, settings.Id, settings.Tenant, cancellationToken);
        var result = await change((RuleService)services.GetService(typeof(RuleService))!, rule);
        if (result.Outcome == RuleChangeOutcome.NotFound)
            throw CliException.Failed($"Rule '{settings.Id}' of tenant '{rule.TenantId}' does not exist.");
        if (settings.Json)
            output.WriteJson(new { id = rule.Id, tenant = rule.TenantId, result = done, revision = result.RevisionAfter });
        else
            output.Text($"Rule {rule.Id} of tenant {rule.TenantId} {done}; running workers pick the change up within seconds.");
        return ExitCodes.Ok;
    }
}
