using System.Text.Json;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Telemetry;
using Microsoft.Extensions.Logging;

namespace Astra.Dispatch.Catalog;

/// <summary>
/// The in-memory rule cache. <see cref="RefreshAsync"/> reloads from SQLite only when the rules generation
/// changed, so any process (another replica, the CLI) can edit rules and every worker picks them up.
/// </summary>
public sealed partial class RuleCatalog : IDisposable
{
    private readonly IRuleStore _store;
    private readonly RuleCompilerFactory _compilers;
    private readonly ILogger<RuleCatalog> _logger;

    /// <summary>An empty cache; <see cref="RefreshAsync"/> loads it.</summary>
    public RuleCatalog(IRuleStore store, RuleCompilerFactory compilers, DispatchTelemetry telemetry, ILogger<RuleCatalog> logger)
    {
        _store = store;
        _compilers = compilers;
        _logger = logger;
        telemetry.ObserveRules(() => (_index.EnabledCount, _index.Count));
    }

    private volatile RuleIndex _index = RuleIndex.Empty;
    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private bool _loaded;

    /// <summary>The loaded rules (an immutable snapshot).</summary>
    public RuleIndex Current => _index;

    /// <summary>Whether the first load has happened.</summary>
    public bool IsLoaded => Volatile.Read(ref _loaded);

    /// <summary>Reloads from the store when the rules generation changed (cheap otherwise).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _refreshLock.WaitAsync(cancellationToken);
        try
        {
            if (_loaded && await _store.GetGenerationAsync(cancellationToken) == _index.Generation)
                return;
            var (generation, rows) = await _store.LoadAllAsync(cancellationToken);
            var compiler = _compilers.ForRuntime();
            var compiled = new List<CompiledRule>(rows.Count);
            foreach (var row in rows)
            {
                var errors = new List<RuleError>();
                var definition = JsonSerializer.Deserialize<RuleDefinition>(row.Definition, RuleDocumentReader.JsonOptions)!;
                if (compiler.Compile(definition, row.Version, row.Enabled, row.PausedReason, "database", errors) is { } rule)
                    compiled.Add(rule);
                else
                    LogRuleSkipped(row.TenantId, row.Id, string.Join("; ", errors));
            }
            _index = new RuleIndex(compiled, generation);
            Volatile.Write(ref _loaded, true);
            LogRulesLoaded(compiled.Count, _index.EnabledCount, generation);
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    /// <summary>Releases the refresh lock.</summary>
    public void Dispose() => _refreshLock.Dispose();

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Loaded {Count} rules ({Enabled} enabled), generation {Generation}")]
    private partial void LogRulesLoaded(int count, int enabled, long generation);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Rule {RuleId} of tenant {TenantId} in the database is no longer valid and is skipped: {Errors}")]
    private partial void LogRuleSkipped(string tenantId, string ruleId, string errors);
}
