using System.Data;
using Astra.Dispatch.Rules;
using Dapper;

namespace Astra.Dispatch.Storage;

/// <summary>The per-tenant rule limit, checked inside the import's transaction against what is stored.</summary>
internal static class RuleCounts
{
    public static async Task CheckAsync(IDbConnection connection, IDbTransaction transaction, IReadOnlyList<RuleDefinition> rules, int maxRulesPerTenant)
    {
        var errors = new List<RuleError>();
        foreach (var tenantId in rules.Select(r => r.TenantId).Distinct(StringComparer.Ordinal))
        {
            var stored = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM rules WHERE tenant_id = @tenantId", new { tenantId }, transaction);
            if (stored > maxRulesPerTenant)
                errors.Add(new RuleError("import", "", "", $"tenant '{tenantId}' would have {stored} rules; the limit is {maxRulesPerTenant} (Dispatch:MaxRulesPerTenant)"));
        }
        if (errors.Count > 0)
            throw new RuleValidationException(errors);
    }
}
