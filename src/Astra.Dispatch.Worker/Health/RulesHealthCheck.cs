using Astra.Dispatch.Catalog;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Astra.Dispatch.Worker.Health;

/// <summary>Ready once the rule cache has been loaded; until then events would wait for it.</summary>
internal sealed class RulesHealthCheck(RuleCatalog catalog) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var index = catalog.Current;
        return Task.FromResult(catalog.IsLoaded
            ? HealthCheckResult.Healthy($"{index.Count} rules loaded ({index.EnabledCount} enabled), generation {index.Generation}")
            : HealthCheckResult.Unhealthy("rules not loaded yet"));
    }
}
