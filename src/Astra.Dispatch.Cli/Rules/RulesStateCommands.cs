using Astra.Dispatch.Cli.Infrastructure;
using Astra.Dispatch.Rules;

namespace Astra.Dispatch.Cli.Rules;

internal sealed class RulesEnableCommand(CliOutput output) : DispatchCommand<RuleIdSettings>(output)
{
    protected override Task<int> RunAsync(RuleIdSettings settings, IServiceProvider services, CancellationToken cancellationToken) =>
        RulesStateChange.RunAsync(Output, settings, "enabled", store => store.SetEnabledAsync(settings.Id, true, null, cancellationToken), services);
}

internal sealed class RulesDisableCommand(CliOutput output) : DispatchCommand<RuleIdSettings>(output)
{
    protected override Task<int> RunAsync(RuleIdSettings settings, IServiceProvider services, CancellationToken cancellationToken) =>
        RulesStateChange.RunAsync(Output, settings, "disabled", store => store.SetEnabledAsync(settings.Id, false, null, cancellationToken), services);
}

internal sealed class RulesDeleteCommand(CliOutput output) : DispatchCommand<RuleIdSettings>(output)
{
    protected override Task<int> RunAsync(RuleIdSettings settings, IServiceProvider services, CancellationToken cancellationToken) =>
        RulesStateChange.RunAsync(Output, settings, "deleted", store => store.DeleteAsync(settings.Id, cancellationToken), services);
}

internal static class RulesStateChange
{
    public static async Task<int> RunAsync(CliOutput output, RuleIdSettings settings, string done, Func<IRuleStore, Task<bool>> change, IServiceProvider services)
    {
        if (!await change((IRuleStore)services.GetService(typeof(IRuleStore))!))
            throw CliException.Failed($"Rule '{settings.Id}' does not exist.");
        if (settings.Json)
            output.WriteJson(new { id = settings.Id, result = done });
        else
            output.Text($"Rule {settings.Id} {done}; running workers pick the change up within seconds.");
        return ExitCodes.Ok;
    }
}
