using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Astra.Dispatch.Cli.Infrastructure;
using Astra.Dispatch.Rules;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Astra.Dispatch.Cli.Rules;

internal sealed class RulesExportCommand(CliOutput output) : DispatchCommand<RulesExportSettings>(output)
{
    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    protected override async Task<int> RunAsync(RulesExportSettings settings, IServiceProvider services, CancellationToken cancellationToken)
    {
        var (_, rows) = await Get<IRuleStore>(services).LoadAllAsync(cancellationToken);
        // The stored enabled state wins over the imported one, so an export re-imports to the same state.
        var rules = rows.Select(r => RuleLoader.Definition(r) with { Enabled = r.Enabled }).ToList();
        var asJson = settings.Json || (settings.Path?.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ?? false);
        var text = asJson
            ? JsonSerializer.Serialize(new { rules }, JsonOptions)
            : new SerializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance)
                .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull).Build().Serialize(new { rules });
        if (settings.Path is null)
        {
            await Output.Out.WriteLineAsync(text.AsMemory(), cancellationToken);
            return ExitCodes.Ok;
        }
        await File.WriteAllTextAsync(settings.Path, text, cancellationToken);
        Output.Text($"Exported {rules.Count} rule(s) to {settings.Path}.");
        return ExitCodes.Ok;
    }
}
