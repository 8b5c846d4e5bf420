namespace Astra.Dispatch;

/// <summary>The <c>Dispatch</c> configuration section (contract keys: Database, RulesPath, SecretsPath).</summary>
public sealed class DispatchOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Dispatch";

    /// <summary>SQLite file, created with its folder.</summary>
    public string Database { get; set; } = "data/dispatch.db";

    /// <summary>YAML/JSON rules file or folder, imported on start and on change.</summary>
    public string? RulesPath { get; set; }

    /// <summary>Folder of secret files (file name = secret name), e.g. a Kubernetes secret mount.</summary>
    public string? SecretsPath { get; set; }

    /// <summary>How often the rule cache checks SQLite for changes made by other processes.</summary>
    public TimeSpan RulesRefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Rules one tenant may have.</summary>
    public int MaxRulesPerTenant { get; set; } = 1000;
}
