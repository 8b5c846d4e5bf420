using Astra.Dispatch.Catalog;
using Astra.Dispatch.Cli.Infrastructure;
using Astra.Dispatch.Rules;

namespace Astra.Dispatch.Cli.Rules;

internal sealed class RulesValidateCommand(CliOutput output) : DispatchCommand<RulesFileSettings>(output)
{
    protected override Task<int> RunAsync(RulesFileSettings settings, IServiceProvider services, CancellationToken cancellationToken)
    {
        CheckExists(settings.Path);
        try
        {
            var rules = Get<RuleImporter>(services).Validate(settings.Path);
            if (settings.Json)
                Output.WriteJson(new { valid = true, rules = rules.Select(r => r.Id), errors = Array.Empty<string>() });
            else
                Output.Text($"{settings.Path}: {rules.Count} rule(s), all valid.");
            return Task.FromResult(ExitCodes.Ok);
        }
        catch (RuleValidationException ex) when (settings.Json)
        {
            Output.WriteJson(new { valid = false, rules = Array.Empty<string>(), errors = ex.Errors.Select(e => e.ToString()) });
            return Task.FromResult(ExitCodes.Usage);
        }
    }

    public static void CheckExists(string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
            throw CliException.Usage($"The rules file or folder {path} does not exist.");
    }
}
