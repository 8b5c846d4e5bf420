using Astra.Dispatch.Cli.Infrastructure;
using Astra.Dispatch.Rules;

namespace Astra.Dispatch.Cli.Rules;

internal sealed class RulesEnableCommand(CliOutput output) : DispatchCommand<RuleIdSettings>(output)
{
    protected override Task<int> RunAsync(RuleIdSettings settings, IServiceProvider services, CancellationToken cancellationToken) =>
        RulesStateChange.RunAsync(Output, settings, "enabled", (store, rule) => store.SetEnabledAsync(rule.TenantId, rule.Id, true, null, cancellationToken),
            services, cancellationToken);
}

internal sealed class RulesDisableCommand(CliOutput output) : DispatchCommand<RuleIdSettings>(output)
{
    protected override Task<int> RunAsync(RuleIdSettings settings, IServiceProvider services, CancellationToken cancellationToken) =>
        RulesStateChange.RunAsync(Output, settings, "disabled", (store, rule) => store.SetEnabledAsync(rule.TenantId, rule.Id, false, null, cancellationToken),
            services, cancellationToken);
}

internal sealed class RulesDeleteCommand(CliOutput output) : DispatchCommand<RuleIdSettings>(output)
{
    protected override Task<int> RunAsync(RuleIdSettings settings, IServiceProvider services, CancellationToken cancellationToken) =>
        RulesStateChange.RunAsync(Output, settings, "deleted", (store, rule) => store.DeleteAsync(rule.TenantId, rule.Id, cancellationToken),
            services, cancellationToken);
}

internal static class RulesStateChange
{
    public static async Task<int> RunAsync(CliOutput output, RuleIdSettings settings, string done, Func<IRuleStore, StoredRule, Task<bool>> change,
        IServiceProvider services, CancellationToken cancellationToken)
    {
        var store = (IRuleStore)services.GetService(typeof(IRuleStore))!;
        var rule = await RuleLoader.GetAsync(store, settings.Id, settings.Tenant, cancellationToken);
        if (!await change(store, rule))
            throw CliException.Failed($"Rule '{settings.Id}' of tenant '{rule.TenantId}' does not exist.");
        if (settings.Json)
            output.WriteJson(new { id = rule.Id, tenant = rule.TenantId, result = done });
        else
            output.Text($"Rule {rule.Id} of tenant {rule.TenantId} {done}; running workers pick the change up within seconds.");
        return ExitCodes.Ok;
    }
}
